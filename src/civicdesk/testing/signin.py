"""Test sign-in helpers: a client signed in and past two-factor, as the verify page would leave it."""

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicdesk.accounts.gate import ENROLLED_KEY


def verified_login(client: Client, user: Any) -> Client:
    """force_login, then give the user a confirmed authenticator and mark the session verified with it."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[ENROLLED_KEY] = True
    session.save()
    return client


def staff_login(client: Client, user: Any) -> Client:
    """Sign in as a user would end up: past two-factor when their account needs it, password only otherwise."""
    from civicdesk.accounts.queries import has_authenticator, must_use_two_factor

    if must_use_two_factor(user, enrolled=has_authenticator(user)):
        return verified_login(client, user)
    client.force_login(user)
    return client
