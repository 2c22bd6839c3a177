"""`civicdesk channels add meta`: a Facebook Page (Messenger and comments) or an Instagram professional account of
one agency, with the Meta app's secret (webhook signatures) and the page's token (replies, hiding comments)."""

import re
import secrets
from argparse import ArgumentParser
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicdesk.agencies.actions import record_channel_account_change
from civicdesk.agencies.models import Agency
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import Channel, ChannelAccount, Provider

HELP = "A Facebook Page (Messenger and comments) or an Instagram professional account of one agency."
GRAPH_ID = re.compile(r"\d{5,25}")
PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SECRET = re.compile(r"[!-~]{8,500}")


def add_arguments(parser: ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--page-id", default="", help="The Facebook Page's id (digits, from the page's About section).")
    which.add_argument("--instagram-id", default="",
                       help="The Instagram professional account's id (digits), for Instagram messages and comments.")
    parser.add_argument("--page-token", default="", help="A long-lived Page access token, stored encrypted.")
    parser.add_argument("--app-secret", default="", help="The Meta app's secret (signs webhooks), stored encrypted.")
    parser.add_argument("--verify-token", default="", help="The verify token you will enter in the app's Webhooks "
                                                           "settings; one is made up when left out.")
    parser.add_argument("--credentials-env", default="", metavar="PREFIX",
                        help="Read PREFIX_PAGE_TOKEN, PREFIX_APP_SECRET and PREFIX_VERIFY_TOKEN from the environment "
                             "at run time instead (only the prefix is stored).")


@transaction.atomic
def connect_meta_account(*, agency: Agency, page_id: str = "", instagram_id: str = "", page_token: str = "",
                         app_secret: str = "", verify_token: str = "", credentials_env: str = "",
                         display_name: str = "", actor: Any = None) -> ChannelAccount:
    """The account, its secrets stored encrypted (or only the environment prefix kept); raises AccountError."""
    address = (page_id or instagram_id or "").strip()
    if not GRAPH_ID.fullmatch(address):
        raise AccountError(_("A page or Instagram account id is a number of 5 to 25 digits, as Meta shows it."))
    channel = Channel.INSTAGRAM if instagram_id else Channel.FACEBOOK
    reference, values = "", {}
    if credentials_env:
        if page_token or app_secret:
            raise AccountError(_("Give the secrets or the environment prefix holding them, not both."))
        if not PREFIX.fullmatch(credentials_env.strip()):
            raise AccountError(_("The environment prefix is letters, digits and underscores, e.g. META_PARKS."))
        reference = "env:" + credentials_env.strip().upper()
    else:
        if not SECRET.fullmatch(page_token.strip()) or not SECRET.fullmatch(app_secret.strip()):
            raise AccountError(_("The page token and the app secret are both needed (or --credentials-env)."))
        values = {"page_token": page_token.strip(), "app_secret": app_secret.strip()}
    if verify_token or not reference:
        values["verify_token"] = (verify_token or secrets.token_urlsafe(24)).strip()
    if ChannelAccount.objects.filter(provider=Provider.META, channel=channel, address=address).exists():
        raise AccountError(_("%(id)s is already connected: a page belongs to one agency.") % {"id": address})
    account = ChannelAccount(channel=channel, provider=Provider.META, agency=agency, address=address,
                             display_name=(display_name or "").strip()[:200], credentials_ref=reference)
    account.set_credentials(values)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise AccountError(_("%(id)s is already connected.") % {"id": address}) from None
    record_channel_account_change({"agency": agency.slug, "channel_account": account.pk, "provider": account.provider,
                                   "address": account.address}, actor=actor, before={},
                                  after={"active": True, "token": "environment" if reference else "stored"})
    return account


def connect(agency: Agency, options: dict[str, Any]) -> ChannelAccount:
    return connect_meta_account(
        agency=agency, page_id=options["page_id"], instagram_id=options["instagram_id"],
        page_token=options["page_token"], app_secret=options["app_secret"], verify_token=options["verify_token"],
        credentials_env=options["credentials_env"], display_name=options["name"])


def after_connect(account: ChannelAccount) -> str:
    """How to finish in Meta's app dashboard (the webhook address itself is printed after this)."""
    token = "" if account.credentials_ref else account.credentials().get("verify_token", "")
    obj = "Instagram" if account.channel == Channel.INSTAGRAM else "Page"
    fields = "messages, comments" if account.channel == Channel.INSTAGRAM else "messages, message_edits, feed"
    lines = [f"In the Meta app's dashboard, under Webhooks, choose the {obj} object, enter the callback URL below and "
             f"the verify token {token!r}" if token else
             f"In the Meta app's dashboard, under Webhooks, choose the {obj} object, enter the callback URL below and "
             f"the verify token from {account.credentials_ref.removeprefix('env:')}_VERIFY_TOKEN",
             f"then subscribe to the fields: {fields}."]
    if account.credentials_ref:
        lines.append(f"The secrets are read from {account.credentials_ref.removeprefix('env:')}_PAGE_TOKEN and "
                     f"_APP_SECRET by the web and worker processes; they are not stored.")
    return "\n".join(lines)
