"""A small fixed-window rate limit kept in the cache, for public endpoints without accounts."""

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    """A hash of the client address, so the cache holds no raw IP addresses."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def hit(request: HttpRequest, scope: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt; True while the client is within `limit` attempts per window."""
    key = f"ratelimit:{scope}:{client_key(request)}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
