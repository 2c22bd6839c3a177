"""Writes of the channel layer outside the payload store: connecting, disabling and removing accounts, their health
(last inbound, last error) and counting refused webhook requests."""

import logging
import os
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.agencies.actions import record_channel_account_change
from civicdesk.channels import account_cache
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, PayloadStatus, Provider, WebhookRejection
from civicdesk.channels.numbers import InvalidNumber, e164

log = logging.getLogger(__name__)

ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
TOKEN = re.compile(r"[!-~]{16,200}")  # printable ASCII, no spaces (Twilio's auth tokens are 32 hex characters)
TOKEN_VARIABLE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)_AUTH_TOKEN")
DEFAULT_TOKEN_VARIABLE = "TWILIO_AUTH_TOKEN"
PERSONAL = re.compile(r"\+?\d[\d\s().-]{5,}\d|[^\s@<>]+@[^\s@<>]+")  # phone numbers, email addresses
HEALTH_EVERY = timedelta(minutes=1)  # health fields are written at most this often per account


class AccountError(ValueError):
    """An account cannot be connected or changed as asked; the message says why, in words an admin can act on."""


def phone_number(raw: str) -> str:
    """A number as Twilio writes it (E.164, "+12155550100"); raises AccountError."""
    try:
        return e164(raw)
    except InvalidNumber as exc:
        raise AccountError(str(exc)) from None


def token_reference(variable: str) -> str:
    """"TWILIO_MAIN_AUTH_TOKEN" -> the credentials reference "env:TWILIO_MAIN" (which reads every TWILIO_MAIN_*)."""
    match = TOKEN_VARIABLE.fullmatch((variable or "").strip())
    if match is None:
        raise AccountError(_("Name the environment variable that holds the auth token; its name ends in _AUTH_TOKEN, "
                             "for example TWILIO_MAIN_AUTH_TOKEN."))
    return "env:" + match.group(1).upper()


def _credentials(account_sid: str, auth_token: str, token_variable: str,
                 environ: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """What is stored encrypted and the environment reference, from the token itself or a variable's name."""
    sid = (account_sid or "").strip()
    if not ACCOUNT_SID.fullmatch(sid):
        raise AccountError(_("The Account SID is “AC” and 32 letters and digits, as Twilio's console shows it."))
    if auth_token and token_variable:
        raise AccountError(_("Give the auth token or the name of the variable holding it, not both."))
    if auth_token:
        if not TOKEN.fullmatch(auth_token.strip()):
            raise AccountError(_("That does not look like an auth token: it is 32 letters and digits, without "
                                 "spaces."))
        return {"account_sid": sid, "auth_token": auth_token.strip()}, ""
    variable = (token_variable or "").strip() or (DEFAULT_TOKEN_VARIABLE if environ.get(DEFAULT_TOKEN_VARIABLE)
                                                  else "")
    if not variable:
        raise AccountError(_("The auth token is missing: give it, or the name of the environment variable holding it "
                             "(%(default)s is used when it is set).") % {"default": DEFAULT_TOKEN_VARIABLE})
    return {"account_sid": sid}, token_reference(variable)


@transaction.atomic
def connect_twilio_number(*, agency: Any, number: str, account_sid: str, auth_token: str = "",
                          token_variable: str = "", display_name: str = "", actor: Any = None,
                          environ: Mapping[str, str] | None = None,
                          seen_agency_ids: list[int] | None = None) -> ChannelAccount:
    """A Twilio number of `agency`: SMS on it (and voice, on the same account) arrive at its webhooks.

    The token is stored encrypted, or only the name of its environment variable is kept (never the value). A number
    already connected names its agency only if it is one of `seen_agency_ids` (None: every agency)."""
    address = phone_number(number)
    values, reference = _credentials(account_sid, auth_token, token_variable,
                                     os.environ if environ is None else environ)
    taken = ChannelAccount.objects.filter(provider=Provider.TWILIO, address=address).select_related("agency").first()
    if taken is not None and (seen_agency_ids is None or taken.agency_id in seen_agency_ids):
        raise AccountError(_("%(number)s is already connected to %(agency)s: a number belongs to one agency. Remove "
                             "it there first.") % {"number": address, "agency": taken.agency.name})
    if taken is not None:  # whose it is stays with the agencies the actor sees
        raise AccountError(_("%(number)s is already connected to another agency: a number belongs to one agency.")
                           % {"number": address})
    account = ChannelAccount(channel=Channel.SMS, provider=Provider.TWILIO, agency=agency, address=address,
                             display_name=(display_name or "").strip()[:200], credentials_ref=reference)
    account.set_credentials(values)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # connected by someone else a moment ago
        raise AccountError(_("%(number)s is already connected: a number belongs to one agency.")
                           % {"number": address}) from None
    _audit(account, actor, after={"active": True, "token": "environment" if reference else "stored"})
    return account


@transaction.atomic
def set_account_active(account: ChannelAccount, *, active: bool, actor: Any = None) -> bool:
    """Enable or disable an account (a disabled account's webhooks answer 404); False when nothing changed."""
    if not ChannelAccount.objects.filter(pk=account.pk).exclude(is_active=active).update(
            is_active=active, updated_at=timezone.now()):
        return False
    account.is_active = active
    account_cache.changed()
    _audit(account, actor, before={"active": not active}, after={"active": active})
    return True


@transaction.atomic
def remove_account(account: ChannelAccount, *, actor: Any = None) -> None:
    """Delete an account that never carried a conversation; one that did is kept (disable it instead)."""
    _audit(account, actor, before={"active": account.is_active}, after={"removed": True})
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError:
        raise AccountError(_("%(account)s has conversations on cases, so it cannot be removed; disable it instead.")
                           % {"account": account.address or account}) from None


def _audit(account: ChannelAccount, actor: Any, *, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    facts = {"agency": account.agency.slug, "channel_account": account.pk, "provider": account.provider,
             "address": account.address}
    record_channel_account_change(facts, actor=actor, before=before or {}, after=after or {})


def note_inbound(account_id: int, at: datetime | None = None) -> None:
    """The account received something (called by the processing job, never the webhook): at most a write a minute."""
    at = at or timezone.now()
    (ChannelAccount.objects.filter(pk=account_id)
     .filter(Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=at - HEALTH_EVERY))
     .update(last_inbound_at=at))


def scrubbed(error: str) -> str:
    """The first line of an error, without phone numbers or email addresses (a provider may quote the recipient)."""
    line = (error or "").strip().splitlines()[0] if (error or "").strip() else ""
    return PERSONAL.sub("…", line)[:300]


def note_error(account_id: int, error: str, at: datetime | None = None) -> None:
    """Something went wrong on the account (unreadable payload, failed send): the latest, at most once a minute."""
    at = at or timezone.now()
    (ChannelAccount.objects.filter(pk=account_id)
     .filter(Q(last_error_at__isnull=True) | Q(last_error_at__lt=at - HEALTH_EVERY))
     .update(last_error_at=at, last_error=scrubbed(error)))


def note_payload(payload: InboundPayload) -> None:
    """After the processing job: the payload's account received (when it was stored), or could not read it."""
    account_id = (payload.meta or {}).get("account_id") if isinstance(payload.meta, dict) else None
    if not isinstance(account_id, int):
        return
    if payload.status == PayloadStatus.QUARANTINED:
        note_error(account_id, _("A received payload (number %(id)s) could not be read and is quarantined.")
                   % {"id": payload.pk})
    else:
        note_inbound(account_id, payload.received_at)


def note_send_error(channel: str, sender: str, error: str) -> None:
    """A failed send attempt, on the account it went out from (found by our address on the channel)."""
    if not sender:
        return
    account_id = (ChannelAccount.objects.filter(channel=channel, address__iexact=sender)
                  .values_list("pk", flat=True).first())
    if account_id is not None:
        note_error(account_id, _("Sending failed: %(error)s") % {"error": scrubbed(error)})


def count_rejection(account: ChannelAccount, reason: str) -> None:
    """One more refused request for (account, reason); only the account id and reason reach the log."""
    now = timezone.now()
    log.warning("Webhook request for channel account %s refused: %s", account.pk, reason)
    rows = WebhookRejection.objects.filter(account=account, reason=reason)
    if rows.update(count=F("count") + 1, last_at=now):
        return
    try:
        with transaction.atomic():
            WebhookRejection.objects.create(account=account, reason=reason, count=1, first_at=now, last_at=now)
    except IntegrityError:  # another request made the row a moment ago
        rows.update(count=F("count") + 1, last_at=now)
