"""Normalising identities so one person matches across messages and channels."""

from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from civicdesk.contacts.models import IdentityKind

SOCIAL_KINDS = (IdentityKind.X, IdentityKind.FACEBOOK, IdentityKind.MASTODON, IdentityKind.BLUESKY,
                IdentityKind.YOUTUBE)
BLUESKY_DOMAIN = ".bsky.social"
MIN_STEM = 3  # shorter handles ("@jo") match too many people to suggest anything

DEFAULT_PHONE_REGION = "US"


class InvalidIdentity(ValueError):
    """An email address or phone number that cannot be used."""


@lru_cache(maxsize=4096)  # a surge's senders text again and again; parsing a number costs about 0.1 ms
def normalize_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentity(f"'{raw}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentity(f"'{raw}' is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    value = raw.strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidIdentity(f"'{raw}' is not a valid email address.") from exc
    return value


def normalize_identity(kind: str, raw: str) -> str:
    if kind == IdentityKind.EMAIL:
        return normalize_email(raw)
    if kind == IdentityKind.PHONE:
        return normalize_phone(raw)
    value = raw.strip()
    if not value:
        raise InvalidIdentity("An identity needs a value.")
    if kind == IdentityKind.BLUESKY and value.startswith("did:"):
        return value  # a DID, Bluesky's stable identity (the handle, which can change, is only displayed)
    if kind in (IdentityKind.X, IdentityKind.BLUESKY, IdentityKind.MASTODON):
        value = "@" + value.lstrip("@").lower()
    return value


def handle_stem(raw: str) -> str:
    """The person-part of a handle, to compare handles across networks: without "@", the Mastodon instance
    ("@rosa@social.example") or the Bluesky domain ("rosa.bsky.social"), in lower case; "" for what is no handle
    (a numeric or opaque id, a DID, a name with spaces) or is too short."""
    value = raw.strip().lstrip("@").casefold()
    if not value or " " in value or value.startswith("did:") or value.isdigit():
        return ""
    value = value.split("@", 1)[0]
    if value.endswith(BLUESKY_DOMAIN):
        value = value.removesuffix(BLUESKY_DOMAIN)
    elif "." in value:  # a handle on the person's own domain: rosatester.com
        value = value.split(".", 1)[0]
    return value if len(value) >= MIN_STEM else ""
