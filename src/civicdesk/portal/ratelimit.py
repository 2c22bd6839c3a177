"""Rate limits for public endpoints without accounts, keyed by a hash of the client address."""

from django.http import HttpRequest

from civicdesk.web.ratelimit import client_key, count_client_hit

__all__ = ["client_key", "hit"]


def hit(request: HttpRequest, scope: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt; True while the client is within `limit` attempts per window."""
    return count_client_hit(request, scope, limit=limit, window_seconds=window_seconds).allowed
