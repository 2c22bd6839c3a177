"""Bearer authentication for the REST API: a personal token in `Authorization: Bearer <token>`, rate limited."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from civicdesk.api.actions import mark_used
from civicdesk.api.queries import live_token
from civicdesk.web.ratelimit import count_hit


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests: at most {settings.API_RATE_LIMIT} a minute per token.")
        self.retry_after = retry_after


class PersonalToken(HttpBearer):
    """Authenticates the token's user onto request.user, so every query below applies that user's scoping."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = live_token(token)
        if found is None:
            return None
        window = count_hit("api-token", str(found.pk), limit=settings.API_RATE_LIMIT)
        if not window.allowed:
            raise RateLimitExceeded(window.retry_after)
        mark_used(found)
        request.user = found.user
        return found.user
