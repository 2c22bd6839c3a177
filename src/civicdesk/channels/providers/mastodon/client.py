"""Talking to one Mastodon instance as our account: Mastodon.py for what we act on, plain HTTP for what we store.

Every answer's X-RateLimit-Limit / -Remaining / -Reset headers (300 calls per 5 minutes per account) go to
channels.limits, so the account pauses before the server refuses; a 429 raises RateLimited with the time left until
the reset. X-RateLimit-Reset is an ISO 8601 time on Mastodon (some servers send epoch seconds; both are read).
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from mastodon import Mastodon

from civicdesk.channels import limits
from civicdesk.channels.protocol import PermanentSendError, RateLimited

WINDOW = "300 per 5 min"
DEFAULT_RETRY_SECONDS = 60.0


def credentials_of(config: Any) -> Mapping[str, str]:
    if isinstance(config, Mapping):
        found = config.get("credentials", config)
        return found if isinstance(found, Mapping) else {}
    return getattr(config, "credentials", {}) or {}


def base_url(config: Any) -> str:
    """The instance's address (https://mastodon.example), from the account's credentials."""
    url = str(credentials_of(config).get("api_base_url", "")).strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise PermanentSendError(gettext("The Mastodon account has no instance address: connect it again with "
                                         "--instance."))
    return url


def token_of(config: Any) -> str:
    token = str(credentials_of(config).get("access_token", "")).strip()
    if not token:
        raise PermanentSendError(gettext("The Mastodon account has no access token: an administrator must add it."))
    return token


def api(config: Any) -> Mastodon:
    """Mastodon.py's client for the account; it raises on a 429 instead of sleeping in a worker."""
    return Mastodon(access_token=token_of(config), api_base_url=base_url(config), ratelimit_method="throw",
                    version_check_mode="none", request_timeout=settings.MASTODON_TIMEOUT_SECONDS,
                    user_agent="CivicDesk")


def reset_time(value: Any) -> datetime | None:
    """X-RateLimit-Reset as an aware datetime: ISO 8601 (Mastodon) or epoch seconds."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    found = parse_datetime(text.replace("Z", "+00:00")) if "T" in text else None
    if found is not None and timezone.is_naive(found):
        found = timezone.make_aware(found, UTC)
    return found


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def note_headers(account_id: int | None, headers: Mapping[str, str]) -> datetime | None:
    """Keep the server's rate-limit headers on the account; returns the reset time."""
    reset = reset_time(headers.get("X-RateLimit-Reset"))
    if account_id:
        limit, remaining = _int(headers.get("X-RateLimit-Limit")), _int(headers.get("X-RateLimit-Remaining"))
        if limit is not None or remaining is not None:
            limits.note_rate_limit(account_id, limit=limit, remaining=remaining, reset_at=reset, window=WINDOW)
    return reset


def note_api(account_id: int | None, client: Mastodon) -> None:
    """The same from Mastodon.py's record of the last answer (it keeps the reset as epoch seconds)."""
    if not account_id or client.ratelimit_lastcall is None:
        return
    reset = client.ratelimit_reset
    limits.note_rate_limit(account_id, limit=_int(client.ratelimit_limit), remaining=_int(client.ratelimit_remaining),
                           reset_at=datetime.fromtimestamp(float(reset), tz=UTC) if reset else None, window=WINDOW)


def retry_after(reset: datetime | None) -> float:
    if reset is None:
        return DEFAULT_RETRY_SECONDS
    return max(1.0, (reset - timezone.now()).total_seconds())


def rate_limited(reset: datetime | None) -> RateLimited:
    seconds = retry_after(reset)
    return RateLimited(seconds, f"Mastodon's rate limit: wait {seconds:.0f} s.")


def get(config: Any, path: str, params: Any = None, *, url: str = "") -> requests.Response:
    """One authenticated GET (a path on the instance, or a full `url` from a Link header of the same instance);
    rate-limit headers noted; a 429 raises RateLimited; other errors raise requests' HTTPError."""
    base = base_url(config)
    target = url if url.startswith(base + "/") else base + path
    response = requests.get(target, params=None if url else params, timeout=settings.MASTODON_TIMEOUT_SECONDS,
                            headers={"Authorization": f"Bearer {token_of(config)}", "Accept": "application/json",
                                     "User-Agent": "CivicDesk"})
    reset = note_headers(getattr(config, "id", None), response.headers)
    if response.status_code == 429:
        raise rate_limited(reset)
    response.raise_for_status()
    return response
