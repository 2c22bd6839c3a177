"""Writes of the email channel: storing mail received by SMTP or fetched by IMAP, mailbox poll state, and the
built-in outbox (mail kept, not sent, when no EMAIL_HOST is set)."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload
from civicdesk.contacts.identities import InvalidIdentity, normalize_email
from civicdesk.conversations.intake import accept
from civicdesk.mail import imap
from civicdesk.mail.autoreply import is_no_reply_address
from civicdesk.mail.models import CapturedEmail, Mailbox, NoticeKind, SenderNotice
from civicdesk.mail.notices import OversizeError, oversize_notice

log = logging.getLogger(__name__)
CHANNEL = Channel.EMAIL
POLL_BATCH = 200
NOTICE_INTERVAL = timedelta(hours=1)  # at most one automatic notice of a kind per address in this time


def ingest_smtp(raw: bytes, meta: dict[str, Any], process_inline: bool = False) -> int:
    """Store one message from the SMTP listener and get it processed; returns the payload id.

    By default processing is queued. Inline processing parses and applies it at once in this thread; if that fails
    for any reason the job queue gets it, so a stored message is never stranded.
    """
    return accept(CHANNEL, raw, meta=meta, inline=process_inline, queue_if_inline_fails=True).payload.pk


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    error: str = ""


def poll_mailbox(mailbox: Mailbox) -> PollResult:
    """Fetch messages above the last UID seen; a new UIDVALIDITY means the folder was rebuilt: start over
    (the payload store's dedupe on Message-ID or content hash keeps refetched mail from being stored twice)."""
    result = PollResult()
    try:
        with imap.imap_session(mailbox) as client:
            validity = imap.uidvalidity(client, mailbox.imap_folder)
            last_uid = mailbox.imap_last_uid if validity == mailbox.imap_uidvalidity else 0
            if validity != mailbox.imap_uidvalidity:
                set_cursor(mailbox, {"imap_uidvalidity": validity, "imap_last_uid": 0})
            for uid in imap.new_uids(client, last_uid, POLL_BATCH):
                fetched = imap.fetch(client, uid)
                result.fetched += 1
                if fetched is not None and store_fetched(mailbox, fetched, validity):
                    result.stored += 1
                else:
                    advance(mailbox, uid)
    except (imap.ImapError, OSError, EOFError) as exc:
        result.error = str(exc) if isinstance(exc, imap.ImapError) else f"{type(exc).__name__}: {exc}"
        log.warning("Polling mailbox %s failed: %s", mailbox.pk, result.error[:200])
    except imap.imaplib.IMAP4.error as exc:
        result.error = f"IMAP error: {exc}"[:500]
        log.warning("Polling mailbox %s failed: IMAP protocol error", mailbox.pk)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=result.error)
    return result


@transaction.atomic
def store_fetched(mailbox: Mailbox, fetched: imap.FetchedMessage, validity: int) -> bool:
    """Store one fetched message and move the mailbox's UID mark in the same transaction."""
    meta = {"transport": "imap", "mailbox_id": mailbox.pk, "account_id": mailbox.account_id, "imap_uid": fetched.uid,
            "imap_uidvalidity": validity}
    stored = accept(CHANNEL, fetched.raw, meta=meta).stored  # queued on commit, with the UID mark
    advance(mailbox, fetched.uid)
    return stored


def advance(mailbox: Mailbox, uid: int) -> None:
    """Move the account's IMAP cursor up to `uid` (never down: another poller may be ahead)."""
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().only("cursor").get(pk=mailbox.account_id)
        if int(account.cursor.get("imap_last_uid", 0)) < uid:
            account.cursor = {**account.cursor, "imap_last_uid": uid}
            ChannelAccount.objects.filter(pk=account.pk).update(cursor=account.cursor, updated_at=timezone.now())
    mailbox.account.cursor = account.cursor


def set_cursor(mailbox: Mailbox, values: dict[str, int]) -> None:
    """Set keys of the account's polling cursor (keeping the others), in the database and on `mailbox`."""
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().only("cursor").get(pk=mailbox.account_id)
        account.cursor = {**account.cursor, **values}
        ChannelAccount.objects.filter(pk=account.pk).update(cursor=account.cursor, updated_at=timezone.now())
    mailbox.account.cursor = account.cursor


def claim_notice(kind: str, address: str) -> bool:
    """Take the one notice of this kind the address may get now; False when it had one within NOTICE_INTERVAL.

    One conditional UPDATE or one INSERT under a unique constraint: two processes can never both win.
    """
    now = timezone.now()
    with transaction.atomic():
        renewed = SenderNotice.objects.filter(kind=kind, address=address, last_sent_at__lte=now - NOTICE_INTERVAL) \
            .update(last_sent_at=now, count=F("count") + 1)
        if renewed:
            return True
        if SenderNotice.objects.filter(kind=kind, address=address).exists():
            return False
        try:
            with transaction.atomic():
                SenderNotice.objects.create(kind=kind, address=address, last_sent_at=now)
        except IntegrityError:
            return False
        return True


def answer_oversize(payload: InboundPayload, error: OversizeError) -> str:
    """Tell the person who sent quarantined oversize mail what was too large: once per payload, once an hour per
    address, never to automatic mail or no-reply addresses. The outcome is kept in the payload's meta."""
    if payload.meta.get("oversize_notice"):
        return str(payload.meta["oversize_notice"])  # a replay answers nothing again
    try:
        address = normalize_email(error.reply_to) if error.reply_to else ""
    except InvalidIdentity:
        address = ""
    if not address or is_no_reply_address(address):
        outcome = "not sent: automatic or no-reply sender"
    elif claim_notice(NoticeKind.OVERSIZE, address):
        outcome = "sent"
        mail = oversize_notice(error)
        mail.to = [address]
        transaction.on_commit(lambda: _send_notice(mail, payload.pk))
    else:
        outcome = "rate-limited"
    payload.meta = {**payload.meta, "oversize_notice": outcome}
    InboundPayload.objects.filter(pk=payload.pk).update(meta=payload.meta)
    return outcome


def _send_notice(mail: Any, payload_id: int) -> None:
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([mail])
    except Exception as exc:  # the notice is a courtesy: the quarantined mail is kept either way
        log.warning("The oversize notice for payload %s could not be sent: %s", payload_id, type(exc).__name__)


def capture_email(mail: EmailMessage) -> CapturedEmail:
    """Keep one outgoing email in the outbox, whole, instead of sending it; linked to its case by Message-ID."""
    rendered = mail.message()
    message_id = str(rendered.get("Message-ID", "")).strip()[:300]
    case_id = None
    if message_id:
        case_id = (Message.objects.filter(email_message_id=message_id, direction=Direction.OUTBOUND)
                   .values_list("case_id", flat=True).first())
    return CapturedEmail.objects.create(
        captured_at=timezone.now(), sender=str(mail.from_email or "")[:400], recipients=", ".join(mail.recipients()),
        subject=str(mail.subject or "")[:1000], message_id=message_id, text=str(mail.body or ""),
        raw=rendered.as_bytes(linesep="\r\n").decode("utf-8", errors="replace"), case_id=case_id)
