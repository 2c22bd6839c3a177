"""Connecting an agency's Bluesky handle (one transaction): the app password stored encrypted, or only the name of
the environment variable holding it; the cursor starts at the moment of connecting (older posts are not cases)."""

import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from atproto_client.models.string_formats import is_valid_handle
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.agencies.actions import record_channel_account_change
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import Channel, ChannelAccount, Provider

PASSWORD_VARIABLE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)_APP_PASSWORD")
APP_PASSWORD = re.compile(r"[!-~]{8,200}")  # an app password reads xxxx-xxxx-xxxx-xxxx; printable, no spaces


def handle_of(raw: str) -> str:
    """"@City311.bsky.social" -> "city311.bsky.social"; raises AccountError."""
    handle = (raw or "").strip().lstrip("@").lower()
    if not handle or not is_valid_handle(handle):
        raise AccountError(_("A Bluesky handle looks like cityname.bsky.social or a domain of the agency's own."))
    return handle


def service_of(raw: str) -> str:
    service = (raw or settings.BLUESKY_SERVICE_URL).strip().rstrip("/")
    parts = urlsplit(service)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AccountError(_("The service is the address of the account's server, such as https://bsky.social."))
    return service


def _password(app_password: str, variable: str, environ: Mapping[str, str]) -> tuple[dict[str, str], str]:
    if app_password and variable:
        raise AccountError(_("Give the app password or the name of the variable holding it, not both."))
    if app_password:
        if not APP_PASSWORD.fullmatch(app_password.strip()):
            raise AccountError(_("That does not look like an app password (Settings > Privacy and security > App "
                                 "passwords in Bluesky; tick direct messages to answer them from the desk)."))
        return {"app_password": app_password.strip()}, ""
    match = PASSWORD_VARIABLE.fullmatch((variable or "").strip()) if variable else None
    if variable and match is None:
        raise AccountError(_("Name the environment variable that holds the app password; its name ends in "
                             "_APP_PASSWORD, for example BLUESKY_MAIN_APP_PASSWORD."))
    if match is not None:
        return {}, "env:" + match.group(1).upper()
    if environ.get("BLUESKY_APP_PASSWORD"):
        return {}, "env:BLUESKY"
    raise AccountError(_("The app password is missing: give it, or the name of the environment variable holding it "
                         "(or set BLUESKY_APP_PASSWORD)."))


def connect_bluesky_account(*, agency: Any, handle: str, app_password: str = "", password_variable: str = "",
                            service: str = "", display_name: str = "", actor: Any = None,
                            environ: Mapping[str, str] | None = None) -> ChannelAccount:
    """A Bluesky handle of `agency`: its mentions, replies and chat messages are polled from now on."""
    address = handle_of(handle)
    values, reference = _password(app_password, password_variable, os.environ if environ is None else environ)
    taken = ChannelAccount.objects.filter(provider=Provider.BLUESKY, address=address).exists()
    if taken:
        raise AccountError(_("@%(handle)s is already connected: a handle belongs to one agency.") % {"handle": address})
    account = ChannelAccount(channel=Channel.BLUESKY, provider=Provider.BLUESKY, agency=agency, address=address,
                             display_name=(display_name or f"@{address}").strip()[:200], credentials_ref=reference,
                             cursor={"since": timezone.now().isoformat()})
    account.set_credentials({**values, "service": service_of(service)})
    try:
        with transaction.atomic():
            account.save()
            record_channel_account_change(
                {"agency": agency.slug, "channel_account": account.pk, "provider": account.provider,
                 "address": address}, actor=actor, before={},
                after={"active": True, "app_password": "environment" if reference else "stored"})
    except IntegrityError:
        raise AccountError(_("@%(handle)s is already connected: a handle belongs to one agency.")
                           % {"handle": address}) from None
    return account
