"""Bearer authentication for the REST API: a personal token in `Authorization: Bearer <token>`, rate limited."""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from civicdesk.api.actions import mark_used
from civicdesk.api.queries import live_token

WINDOW_SECONDS = 60


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests: at most {settings.API_RATE_LIMIT} a minute per token.")
        self.retry_after = retry_after


def count_request(token_id: int) -> None:
    """A fixed one-minute window per token in the shared cache; raises RateLimitExceeded past the limit."""
    now = timezone.now().timestamp()
    window = int(now // WINDOW_SECONDS)
    key = f"api:rate:{token_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        used = 1
    if used > settings.API_RATE_LIMIT:
        raise RateLimitExceeded(retry_after=max(1, int((window + 1) * WINDOW_SECONDS - now)))


class PersonalToken(HttpBearer):
    """Authenticates the token's user onto request.user, so every query below applies that user's scoping."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = live_token(token)
        if found is None:
            return None
        count_request(found.pk)
        mark_used(found)
        request.user = found.user
        return found.user
