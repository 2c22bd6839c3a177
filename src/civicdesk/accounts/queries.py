"""Read-only questions about sign-in: who must use two-factor, and which authenticators a user has."""

from typing import Any

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.permissions import staff_profile


def is_admin_account(user: Any) -> bool:
    """Superusers, accounts with the Django staff flag (the admin site) and staff with the admin role."""
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    profile = staff_profile(user)
    return bool(profile and profile.role == StaffRole.ADMIN)


def must_use_two_factor(user: Any, *, enrolled: bool) -> bool:
    """Admins always; every staff member when MFA_REQUIRED; and anyone who has set up an authenticator."""
    if enrolled or is_admin_account(user):
        return True
    return bool(getattr(settings, "MFA_REQUIRED", False) and staff_profile(user) is not None)


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


def recovery_codes_left(user: Any) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device else 0


def devices_for_code(user: Any, code: str) -> list[Any]:
    """The devices a code is meant for: all digits is the authenticator app, anything else a recovery code.

    Trying a recovery code on the app (as django_otp.match_token does) would count a wrong code there and start
    its back-off for the next sign-in.
    """
    model = TOTPDevice if code.isdigit() else StaticDevice
    return list(model.objects.filter(user=user, confirmed=True))


def seconds_until_next_try(devices: list[Any]) -> int:
    """0, or how long django-otp's back-off after wrong codes still refuses every code (it doubles per failure)."""
    waits = [0]
    for device in devices:
        allowed, data = device.verify_is_allowed()
        until = (data or {}).get("locked_until")
        if not allowed and until is not None:
            waits.append(max(1, int((until - timezone.now()).total_seconds()) + 1))
    return max(waits)
