"""Reads of the api app: the live token for a raw bearer string."""

from civicdesk.api.models import ApiToken, hash_token


def live_token(raw_token: str) -> ApiToken | None:
    """The unrevoked token of an active user matching raw_token, with its user, or None."""
    raw_token = raw_token.strip()
    if not raw_token:
        return None
    return (ApiToken.objects.select_related("user", "user__staff")
            .filter(token_hash=hash_token(raw_token), revoked_at__isnull=True, user__is_active=True).first())
