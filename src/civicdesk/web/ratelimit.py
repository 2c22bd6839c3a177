"""Fixed-window rate limits kept in the shared cache (Redis when REDIS_URL is set), for every public entry point."""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone


@dataclass
class WindowCount:
    used: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit


def count_hit(scope: str, who: str, *, limit: int, window_seconds: int = 60, now: float | None = None) -> WindowCount:
    """Count one request by `who` (an id or a hash, never personal data) in the current window of `scope`."""
    now = timezone.now().timestamp() if now is None else now
    window = int(now // window_seconds)
    key = f"ratelimit:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds * 2)
        used = 1
    return WindowCount(used=used, limit=limit, retry_after=max(1, int((window + 1) * window_seconds - now)))
