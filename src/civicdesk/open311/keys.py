"""API keys: issuing, revoking, checking a key on a POST, and its per-application rate limit."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicdesk.open311.models import ApiKey, hash_key
from civicdesk.open311.parsing import Open311Error
from civicdesk.web.ratelimit import count_hit

KEY_PREFIX = "o311_"
WINDOW_SECONDS = 60


@dataclass
class IssuedKey:
    api_key: ApiKey
    raw: str  # shown once; only its hash is stored


@transaction.atomic
def create_key(app_name: str, *, rate_limit: int | None = None, contact: str = "") -> IssuedKey:
    app_name = app_name.strip()
    if not app_name:
        raise ValueError("An API key needs an application name.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        app_name=app_name[:120], prefix=raw[:12], key_hash=hash_key(raw), contact=contact[:200],
        rate_limit=rate_limit if rate_limit is not None else settings.OPEN311_DEFAULT_RATE_LIMIT,
    )
    return IssuedKey(api_key, raw)


@transaction.atomic
def revoke_key(api_key: ApiKey) -> ApiKey:
    if not api_key.is_revoked:
        api_key.is_revoked = True
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["is_revoked", "revoked_at"])
    return api_key


def authenticate(raw: str | None) -> ApiKey:
    """The live key for a POST's api_key, or a 403 that says what is wrong."""
    if not raw:
        raise Open311Error(403, "api_key: required for POST.")
    api_key = ApiKey.objects.filter(key_hash=hash_key(raw.strip())).first()
    if api_key is None:
        raise Open311Error(403, "api_key: not a valid key.")
    if api_key.is_revoked:
        raise Open311Error(403, "api_key: this key was revoked.")
    return api_key


class RateLimited(Open311Error):
    def __init__(self, api_key: ApiKey, retry_after: int) -> None:
        super().__init__(429, f"api_key: {api_key.app_name} may make {api_key.rate_limit} POST requests a minute; "
                              f"try again in {retry_after} seconds.")
        self.retry_after = retry_after


def count_request(api_key: ApiKey, now: float | None = None) -> int:
    """A fixed one-minute window per key in the shared cache; raises RateLimited past the key's limit."""
    window = count_hit("open311-key", str(api_key.pk), limit=api_key.rate_limit, window_seconds=WINDOW_SECONDS,
                       now=now)
    if not window.allowed:
        raise RateLimited(api_key, retry_after=window.retry_after)
    return window.used
