"""Channel account credentials: read from the environment ("env:PREFIX") or stored encrypted with Fernet.

The key is CHANNEL_CREDENTIALS_KEY: one or more Fernet keys separated by commas; the first encrypts, every one
decrypts, so a key is rotated by putting the new one first (tokens are re-encrypted with it when an account's
credentials are saved again). Without it, a key derived from SECRET_KEY is used; a deploy check warns about that.
"""

import base64
import hashlib
import json
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

ENV_PREFIX = "env:"
# A credential the demo city's accounts carry (`civicdesk seed-demo`): nothing is sent, polled or streamed for them;
# `civicdesk channels simulate` plays the network.
DEMO_OUTBOX = "demo_outbox"


class CredentialsError(Exception):
    """Credentials cannot be read: a bad reference, a missing key, or a token made with another key."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key from SECRET_KEY, for installations that did not set CHANNEL_CREDENTIALS_KEY."""
    digest = hashlib.sha256(("civicdesk.channels.credentials:" + secret_key).encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in (getattr(settings, "CHANNEL_CREDENTIALS_KEY", "") or "").split(",") if k.strip()]
    keys = [k.encode() for k in configured] or [derived_key(settings.SECRET_KEY)]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:  # never echo the key
        raise CredentialsError("CHANNEL_CREDENTIALS_KEY is not a valid Fernet key (32 url-safe base64 bytes)") from exc


def encrypt(values: Mapping[str, str]) -> str:
    """A Fernet token holding the credentials as JSON; an empty mapping gives an empty string."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(dict(values), sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        data = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsError("Stored credentials cannot be decrypted with CHANNEL_CREDENTIALS_KEY") from exc
    return {str(k): str(v) for k, v in data.items()}


def from_reference(ref: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """"env:TWILIO_MAIN" -> every TWILIO_MAIN_<NAME> variable as {name.lower(): value}."""
    if not ref:
        return {}
    if not ref.startswith(ENV_PREFIX) or not ref[len(ENV_PREFIX):].strip():
        raise CredentialsError('A credentials reference looks like "env:PREFIX"')
    prefix = ref[len(ENV_PREFIX):].strip().upper() + "_"
    environ = os.environ if environ is None else environ
    return {name[len(prefix):].lower(): value for name, value in environ.items()
            if name.startswith(prefix) and len(name) > len(prefix)}


def resolve(ref: str, token: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """An account's credentials: the stored ones, with the environment's (by reference) taking precedence."""
    return {**decrypt(token), **from_reference(ref, environ)}


def parse_lines(text: str) -> dict[str, str]:
    """Credentials typed in the admin: one "name=value" a line; blank lines and lines starting with # skipped."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"Line {number} is not name=value")  # never echo what was typed
        values[name.strip().lower()] = value.strip()
    return values
