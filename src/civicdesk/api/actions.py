"""Writes of the api app: issuing, revoking and stamping personal API tokens."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from civicdesk.api.models import ApiToken, hash_token

TOKEN_PREFIX = "cdt_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # stamp last use at most once a minute, not on every request


@dataclass
class IssuedToken:
    token: ApiToken
    raw: str  # shown once; only its hash is stored


@transaction.atomic
def create_token(user: User, *, name: str = "") -> IssuedToken:
    if not user.is_active:
        raise ValueError(f"{user.username} is not an active user.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:120], prefix=raw[:12], token_hash=hash_token(raw))
    return IssuedToken(token, raw)


@transaction.atomic
def revoke_token(token: ApiToken) -> ApiToken:
    if not token.is_revoked:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def mark_used(token: ApiToken) -> None:
    """Record when a token was last used, at most once per LAST_USED_RESOLUTION (a single UPDATE)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
