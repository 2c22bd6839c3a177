"""System checks of the channel layer: the key that encrypts channel account credentials."""

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security)
def credentials_key_is_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A CHANNEL_CREDENTIALS_KEY that is set must be Fernet keys; the value is never echoed."""
    for position, key in enumerate(k.strip() for k in settings.CHANNEL_CREDENTIALS_KEY.split(",") if k.strip()):
        try:
            Fernet(key.encode())
        except ValueError:
            return [Error(f"CHANNEL_CREDENTIALS_KEY: key {position + 1} is not a Fernet key.",
                          hint="Make one with: python3 -c 'from cryptography.fernet import Fernet; "
                               "print(Fernet.generate_key().decode())'", id="civicdesk.E101")]
    return []


@register(Tags.security, deploy=True)
def credentials_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.CHANNEL_CREDENTIALS_KEY.strip():
        return []
    return [Warning("CHANNEL_CREDENTIALS_KEY is not set: stored channel credentials are encrypted with a key derived "
                    "from SECRET_KEY, and changing SECRET_KEY makes them unreadable.",
                    hint="Set CHANNEL_CREDENTIALS_KEY to a Fernet key (see .env.example).", id="civicdesk.W101")]
