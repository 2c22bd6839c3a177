"""Rate limits for public endpoints without accounts, keyed by a hash of the client address."""

import hashlib

from django.http import HttpRequest

from civicdesk.web.ratelimit import count_hit


def client_key(request: HttpRequest) -> str:
    """A hash of the client address, so the cache holds no raw IP addresses."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def hit(request: HttpRequest, scope: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt; True while the client is within `limit` attempts per window."""
    return count_hit(scope, client_key(request), limit=limit, window_seconds=window_seconds).allowed
