"""Fixed-window rate limits in the shared cache (Redis with REDIS_URL, else the database), for every entry point.

Counting is atomic across processes (cache.add, then an atomic cache.incr), so several web workers share one
count. Views without accounts key on `client_key(request)`; `limit_message` and `with_retry_after` give every
limited page the same wording and header.
"""

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext


@dataclass
class WindowCount:
    used: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit


def clock() -> float:
    """Seconds since the epoch; the one clock every window reads (tests hold it still)."""
    return timezone.now().timestamp()


def count_hit(scope: str, who: str, *, limit: int, window_seconds: int = 60, now: float | None = None) -> WindowCount:
    """Count one request by `who` (an id or a hash, never personal data) in the current window of `scope`."""
    now = clock() if now is None else now
    window = int(now // window_seconds)
    key = f"ratelimit:{scope}:{who}:{window}"
    try:
        used = cache.incr(key)  # the common case: the window's counter exists
    except ValueError:  # first hit of the window: create the counter (add never overwrites a concurrent one)
        cache.add(key, 0, timeout=window_seconds * 2)
        used = cache.incr(key)
    return WindowCount(used=used, limit=limit, retry_after=max(1, int((window + 1) * window_seconds - now)))


def client_key(request: HttpRequest) -> str:
    """A hash of the client address, so the cache holds no raw IP addresses."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def count_client_hit(request: HttpRequest, scope: str, *, limit: int, window_seconds: int = 60) -> WindowCount:
    """Count one attempt of this client (by hashed address) in `scope`."""
    return count_hit(scope, client_key(request), limit=limit, window_seconds=window_seconds)


def limit_message(count: WindowCount) -> str:
    """'Too many attempts ... try again in N minutes', for pages and HTMX fragments."""
    minutes = max(1, math.ceil(count.retry_after / 60))
    return gettext("Too many attempts from your connection. Please try again in %(wait)s.") % {
        "wait": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}}


def with_retry_after(response: HttpResponse, count: WindowCount) -> HttpResponse:
    """Set Retry-After on a 429 response."""
    response["Retry-After"] = str(count.retry_after)
    return response
