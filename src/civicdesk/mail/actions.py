"""Writes of the email channel: storing mail received by SMTP or fetched by IMAP, and mailbox poll state."""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicdesk.channels.actions import process, receive, store_payload
from civicdesk.mail import imap
from civicdesk.mail.models import Mailbox

log = logging.getLogger(__name__)
CHANNEL = "email"
POLL_BATCH = 200


def ingest_smtp(raw: bytes, meta: dict[str, Any], process_inline: bool = False) -> int:
    """Store one message from the SMTP listener and get it processed; returns the payload id.

    By default processing is queued (receive). Inline processing parses and applies it at once in this
    thread; if that fails for any reason the job queue gets it, so a stored message is never stranded.
    """
    if not process_inline:
        return receive(CHANNEL, raw, meta=meta).pk
    payload, created = store_payload(CHANNEL, raw, meta=meta)
    if created:
        try:
            process(payload)
        except Exception:
            log.exception("Inline processing of payload %s failed; queueing it", payload.pk)
            from civicdesk.channels.tasks import process_payload

            process_payload.enqueue(payload.pk)
    return payload.pk


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
                Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=validity, imap_last_uid=0)
                mailbox.imap_uidvalidity, mailbox.imap_last_uid = validity, 0
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
    meta = {"transport": "imap", "mailbox_id": mailbox.pk, "imap_uid": fetched.uid, "imap_uidvalidity": validity}
    payload, created = store_payload(CHANNEL, fetched.raw, meta=meta)
    if created:  # what receive() does, keeping `created` to count what is new
        from civicdesk.channels.tasks import process_payload

        payload_id = payload.pk
        transaction.on_commit(lambda: process_payload.enqueue(payload_id))
    advance(mailbox, fetched.uid)
    return created


def advance(mailbox: Mailbox, uid: int) -> None:
    Mailbox.objects.filter(pk=mailbox.pk, imap_last_uid__lt=uid).update(imap_last_uid=uid)
    mailbox.imap_last_uid = max(mailbox.imap_last_uid, uid)
