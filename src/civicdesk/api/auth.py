"""Authentication for the REST API, rate limited: a personal token in `Authorization: Bearer <token>`, or the signed-in
staff session (the docs page's "Try it out") with Django's CSRF check on every write."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from civicdesk.accounts.gate import ENROLLED_KEY
from civicdesk.accounts.queries import must_use_two_factor
from civicdesk.api.actions import mark_used
from civicdesk.api.queries import live_token
from civicdesk.inbox.access import is_staff_member
from civicdesk.web.ratelimit import count_hit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests: at most {settings.API_RATE_LIMIT} a minute per token or session.")
        self.retry_after = retry_after


def _count(scope: str, who: str) -> None:
    window = count_hit(scope, who, limit=settings.API_RATE_LIMIT)
    if not window.allowed:
        raise RateLimitExceeded(window.retry_after)


class PersonalToken(HttpBearer):
    """Authenticates the token's user onto request.user, so every query below applies that user's scoping."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = live_token(token)
        if found is None:
            return None
        _count("api-token", str(found.pk))
        mark_used(found)
        request.user = found.user
        return found.user


class StaffSession(APIKeyCookie):
    """The staff pages' session: a staff member past two-factor (when their account needs it). Writes need the
    CSRF token in `X-CSRFToken`, as the docs page sends it. A request with an Authorization header is left to the
    token: a wrong token is a 401, never a fall back to the browser's session."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if not key or "Authorization" in request.headers or user is None or not user.is_authenticated:
            return None
        if not is_staff_member(user):
            return None
        enrolled = bool(request.session.get(ENROLLED_KEY, False))
        if not user.is_verified() and must_use_two_factor(user, enrolled=enrolled):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.")
        _count("api-session", str(user.pk))
        return user
