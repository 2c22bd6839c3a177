"""Writes of staff sign-in: starting and confirming an authenticator, and issuing recovery codes."""

from typing import Any

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicdesk.accounts.queries import devices_for_code, pending_authenticator

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def start_enrolment(user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator, made once so reloading the setup page keeps the same secret."""
    return pending_authenticator(user) or TOTPDevice.objects.create(user=user, name="Authenticator app",
                                                                    confirmed=False)


@transaction.atomic
def confirm_enrolment(device: TOTPDevice, code: str) -> list[str] | None:
    """If `code` is the authenticator's current code: make it the user's only one and issue recovery codes."""
    if not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return issue_recovery_codes(device.user)


@transaction.atomic
def issue_recovery_codes(user: Any) -> list[str]:
    """Ten new one-use codes; any earlier ones stop working. Shown to the user once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def check_code(user: Any, code: str) -> Any | None:
    """The device that accepts `code` (a recovery code is used up by this), or None; wrong codes count to back-off."""
    for device in devices_for_code(user, code):
        if device.verify_token(code):
            return device
    return None
