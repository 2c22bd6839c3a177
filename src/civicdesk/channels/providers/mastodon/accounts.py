"""Connecting a Mastodon account of an agency: its token verified with the instance, its id and acct learnt."""

import os
import re
from collections.abc import Mapping
from typing import Any

import requests
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from mastodon.errors import MastodonError, MastodonUnauthorizedError

from civicdesk.agencies.actions import record_channel_account_change
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.providers.mastodon import client, parsing

TOKEN_VARIABLE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)_ACCESS_TOKEN")


def instance_url(raw: str) -> str:
    url = (raw or "").strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+", url):
        raise AccountError(_("The instance is its address, such as https://mastodon.example (no path)."))
    return url


def token_reference(variable: str) -> str:
    match = TOKEN_VARIABLE.fullmatch((variable or "").strip())
    if match is None:
        raise AccountError(_("Name the environment variable that holds the access token; its name ends in "
                             "_ACCESS_TOKEN, for example MASTODON_MAIN_ACCESS_TOKEN."))
    return "env:" + match.group(1).upper()


def who_am_i(base: str, token: str) -> tuple[str, str, str]:
    """(our account id, our acct, the newest notification id) from verify_credentials and the notifications."""
    config = {"credentials": {"api_base_url": base, "access_token": token}}
    try:
        me = client.api(config).account_verify_credentials()
        newest = client.get(config, "/api/v1/notifications", {"limit": "1"}).json()
    except MastodonUnauthorizedError:
        raise AccountError(_("The instance refused the access token: create one with the read and write scopes "
                             "under Preferences > Development.")) from None
    except (MastodonError, requests.RequestException, ValueError, PermanentSendError, RateLimited) as exc:
        raise AccountError(_("The instance could not be asked who the token belongs to: %(error)s")
                           % {"error": type(exc).__name__}) from None
    newest_id = str(newest[0]["id"]) if isinstance(newest, list) and newest and isinstance(newest[0], dict) else ""
    return str(me["id"]), str(me["acct"]), newest_id


@transaction.atomic
def connect_mastodon_account(*, agency: Any, instance: str, access_token: str = "", token_variable: str = "",
                             display_name: str = "", actor: Any = None,
                             environ: Mapping[str, str] | None = None) -> ChannelAccount:
    """Our account on `instance`: its token stored encrypted, or only the name of its environment variable kept.
    Its address is acct@instance; the catch-up cursor starts at the newest notification (no history imported)."""
    base = instance_url(instance)
    environ = os.environ if environ is None else environ
    if access_token and token_variable:
        raise AccountError(_("Give the access token or the name of the variable holding it, not both."))
    reference = token_reference(token_variable) if token_variable else ""
    token = access_token.strip() or (environ.get(token_variable.strip(), "") if token_variable else "")
    if not token:
        raise AccountError(_("The access token is missing: give it, or the name of the environment variable "
                             "holding it."))
    account_id, acct, newest = who_am_i(base, token)
    address = parsing.full_acct({"acct": acct}, parsing.host_of(base))
    if ChannelAccount.objects.filter(provider=Provider.MASTODON, address=address).exists():
        raise AccountError(_("%(address)s is already connected: an account belongs to one agency.")
                           % {"address": address})
    values = {"api_base_url": base, "account_id": account_id, "acct": acct}
    if not reference:
        values["access_token"] = token
    account = ChannelAccount(channel=Channel.MASTODON, provider=Provider.MASTODON, agency=agency, address=address,
                             display_name=(display_name or "").strip()[:200] or f"@{address}",
                             credentials_ref=reference, cursor={"min_id": newest} if newest else {})
    account.set_credentials(values)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise AccountError(_("%(address)s is already connected.") % {"address": address}) from None
    record_channel_account_change({"agency": agency.slug, "channel_account": account.pk, "provider": account.provider,
                                   "address": address}, actor=actor, before={},
                                  after={"active": True, "token": "environment" if reference else "stored"})
    return account
