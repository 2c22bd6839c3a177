"""Connecting an agency's YouTube channel: the account (address: the channel id) and its credentials, stored
encrypted or named by an environment prefix (only the name is kept)."""

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicdesk.agencies.actions import record_channel_account_change
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import Channel, ChannelAccount, Provider

CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
ENV_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SECRET = re.compile(r"[!-~]{8,2048}")  # printable ASCII without spaces: keys, client ids and secrets, tokens


def channel_id(raw: str) -> str:
    value = (raw or "").strip()
    if not CHANNEL_ID.fullmatch(value):
        raise AccountError(_("A YouTube channel id is “UC” and 22 letters, digits, dashes or underscores, as in the "
                             "channel's address (youtube.com/channel/UC…)."))
    return value


def credentials(*, api_key: str = "", client_id: str = "", client_secret: str = "", refresh_token: str = "",
                env_prefix: str = "") -> tuple[dict[str, str], str]:
    """What is stored encrypted, and the environment reference ("env:PREFIX"), from the options given."""
    given = {"api_key": api_key.strip(), "client_id": client_id.strip(), "client_secret": client_secret.strip(),
             "refresh_token": refresh_token.strip()}
    given = {name: value for name, value in given.items() if value}
    if env_prefix:
        if given:
            raise AccountError(_("Give the credentials or the prefix of the environment variables holding them, "
                                 "not both."))
        if not ENV_PREFIX.fullmatch(env_prefix.strip()):
            raise AccountError(_("The prefix names environment variables: letters, digits and underscores, such as "
                                 "YOUTUBE_PARKS (which reads YOUTUBE_PARKS_REFRESH_TOKEN and the others)."))
        return {}, "env:" + env_prefix.strip().upper()
    if any(not SECRET.fullmatch(value) for value in given.values()):
        raise AccountError(_("A YouTube key, client id, client secret or refresh token has no spaces and at least "
                             "8 characters."))
    oauth = [name for name in ("client_id", "client_secret", "refresh_token") if name in given]
    if oauth and len(oauth) < 3:
        raise AccountError(_("Replies need all three of the OAuth client id, client secret and refresh token."))
    if not given:
        raise AccountError(_("The channel needs an OAuth client id, client secret and refresh token (to read and "
                             "reply), or at least an API key (to read only)."))
    return given, ""


@transaction.atomic
def connect_youtube_channel(*, agency: Any, channel: str, api_key: str = "", client_id: str = "",
                            client_secret: str = "", refresh_token: str = "", env_prefix: str = "",
                            display_name: str = "", actor: Any = None) -> ChannelAccount:
    """`agency`'s YouTube channel: comments on its videos become cases, replies are posted as the channel."""
    address = channel_id(channel)
    values, reference = credentials(api_key=api_key, client_id=client_id, client_secret=client_secret,
                                    refresh_token=refresh_token, env_prefix=env_prefix)
    if ChannelAccount.objects.filter(provider=Provider.YOUTUBE, address=address).exists():
        raise AccountError(_("%(channel)s is already connected: a channel belongs to one agency. Remove it there "
                             "first.") % {"channel": address})
    account = ChannelAccount(channel=Channel.YOUTUBE, provider=Provider.YOUTUBE, agency=agency, address=address,
                             display_name=(display_name or "").strip()[:200], credentials_ref=reference)
    account.set_credentials(values)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise AccountError(_("%(channel)s is already connected: a channel belongs to one agency.")
                           % {"channel": address}) from None
    kind = "environment" if reference else ("oauth" if "refresh_token" in values else "api key")
    record_channel_account_change({"agency": agency.slug, "channel_account": account.pk, "provider": account.provider,
                                   "address": address}, actor=actor, before={},
                                  after={"active": True, "credentials": kind})
    return account
