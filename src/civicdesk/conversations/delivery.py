"""One delivery state machine for outbound messages: every write of delivery state, the backoff, provider reports.

    queued ──> sending ──> sent ──> delivered
                 │ ^  ├──> published (sending is publishing: the status page)
                 │ │  └──> captured (kept in the built-in outbox, sent to no one: no mail server is set)
                 v │
              retrying          any of queued, sending, retrying, sent ──> failed (shown on the case)

Each move is checked against TRANSITIONS and written as a compare-and-set on (status, attempts), so a move the
table forbids, or one that lost a race with another worker or a provider report, writes nothing and returns False.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.channels.events import DeliveryOutcome, DeliveryReport
from civicdesk.channels.models import Channel
from civicdesk.core import prefetch

log = logging.getLogger(__name__)
S = DeliveryStatus
OUTBOUND_ROW = "outbound_row"  # start_attempt's core.prefetch kind: the message row, read ahead with its case

TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset(),  # inbound: nothing to deliver
    S.QUEUED: frozenset({S.SENDING, S.FAILED}),
    # sending -> sending: a new attempt after the worker of the last one died (its lease ran out)
    S.SENDING: frozenset({S.SENDING, S.SENT, S.PUBLISHED, S.CAPTURED, S.RETRYING, S.FAILED}),
    S.RETRYING: frozenset({S.SENDING, S.FAILED}),
    S.SENT: frozenset({S.DELIVERED, S.FAILED}),  # the provider's report: delivered, or a bounce
    S.DELIVERED: frozenset(),
    S.PUBLISHED: frozenset(),
    S.FAILED: frozenset(),
    S.CAPTURED: frozenset(),  # never sent, so no provider reports on it
}
STARTABLE = (S.QUEUED, S.SENDING, S.RETRYING)
REPORTED: dict[str, str] = {  # a provider's outcome -> our status ("read" implies delivered)
    DeliveryOutcome.SENT: S.SENT, DeliveryOutcome.DELIVERED: S.DELIVERED, DeliveryOutcome.READ: S.DELIVERED,
    DeliveryOutcome.FAILED: S.FAILED,
}


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def backoff(attempt: int) -> timedelta:
    """The one retry schedule (outbound delivery and Open311 forwarding): base, 2x, 4x ... capped."""
    seconds = settings.OUTBOUND_BACKOFF_SECONDS * 2 ** max(0, min(attempt, 30) - 1)
    return timedelta(seconds=min(settings.OUTBOUND_BACKOFF_MAX_SECONDS, seconds))


def next_attempt_at(attempts: int, max_attempts: int) -> datetime | None:
    """When to try again after `attempts` failed tries, or None when that was the last one."""
    return None if attempts >= max_attempts else timezone.now() + backoff(attempts)


def _move(message: Message, new: str, **fields: object) -> bool:
    """Write `new` (and fields) if the table allows it and nobody moved the message since it was read."""
    if not allowed(message.delivery_status, new):
        log.info("Delivery of message %s: %s -> %s refused", message.pk, message.delivery_status, new)
        return False
    written = Message.objects.filter(pk=message.pk, delivery_status=message.delivery_status,
                                     attempts=message.attempts).update(delivery_status=new, **fields)
    if written:
        message.delivery_status = new
        for name, value in fields.items():
            setattr(message, name, value)
    return bool(written)


def start_attempt(message_id: int) -> Message | None:
    """Move a message due for sending to `sending` (one more attempt); None when there is nothing to send.

    While sending, next_attempt_at is the attempt's lease: a message left in `sending` by a dead worker may be
    tried again once it runs out (see recover_stalled), never while a live worker may still be sending it.
    """
    known = prefetch.take(OUTBOUND_ROW, message_id)  # read ahead by a job sending many (delivery_lookahead)
    if known is not prefetch.MISS:  # _move's conditional UPDATE refuses it if another worker moved it since
        return _start(known) if known is not None else None
    with transaction.atomic():
        message = (Message.objects.select_for_update(of=("self",)).select_related("case", "contact")
                   .filter(pk=message_id, direction=Direction.OUTBOUND).first())
        return _start(message) if message is not None else None


def _start(message: Message) -> Message | None:
    if message.delivery_status not in STARTABLE:
        return None
    now = timezone.now()
    if message.delivery_status == S.SENDING and message.next_attempt_at and message.next_attempt_at > now:
        return None  # another worker holds this attempt
    lease = now + timedelta(seconds=settings.OUTBOUND_SENDING_LEASE_SECONDS)
    return message if _move(message, S.SENDING, attempts=message.attempts + 1, next_attempt_at=lease) else None


def mark_sent(message: Message, provider_id: str, *, published: bool = False) -> bool:
    """The adapter accepted it: sent (or published, where sending is publishing), with the provider's id."""
    return _move(message, S.PUBLISHED if published else S.SENT, last_error="", next_attempt_at=None,
                 provider_message_id=(provider_id or message.provider_message_id)[:300])


def mark_captured(message: Message, reference: str) -> bool:
    """Kept in the built-in outbox instead of sent: shown as "captured, not sent", never as sent or delivered."""
    return _move(message, S.CAPTURED, last_error="", next_attempt_at=None, provider_message_id=reference[:300])


def attempt_failed(message: Message, error: str) -> datetime | None:
    """A failed attempt that may succeed later: retrying with backoff, or failed for good after the last attempt.

    Returns when to try again (None: no retry).
    """
    retry_at = next_attempt_at(message.attempts, settings.OUTBOUND_MAX_ATTEMPTS)
    if retry_at is None:
        mark_failed(message, error)
        return None
    return retry_at if _move(message, S.RETRYING, last_error=error[:2000], next_attempt_at=retry_at) else None


def postpone(message: Message, until: datetime, reason: str) -> bool:
    """The provider asked us to wait (a 429, a paused account): retrying at `until`, the attempt given back."""
    return _move(message, S.RETRYING, attempts=max(0, message.attempts - 1), last_error=reason[:2000],
                 next_attempt_at=until)


@transaction.atomic
def mark_failed(message: Message, error: str) -> bool:
    """The final failure of an outbound message, shown on it and on its case's timeline."""
    if not _move(message, S.FAILED, last_error=error[:2000], next_attempt_at=None):
        return False
    record(AuditAction.DELIVERY_FAILED, case=message.case, actor_label=message.channel,
           after={"message": message.pk, "channel": message.channel, "attempts": message.attempts}, reason=error)
    return True


def reported_message(channel: str, about: list[str]) -> Message | None:
    """Our latest outbound message on `channel` that a report's ids (provider ids or email Message-IDs) are about."""
    ids = [i for i in about if i][:50]
    if not ids:
        return None
    ours = Message.objects.select_related("case").filter(direction=Direction.OUTBOUND)
    if channel == Channel.EMAIL:  # a bounce names our Message-ID (globally unique, indexed)
        ours = ours.filter(email_message_id__in=ids)
    else:
        ours = ours.filter(channel=channel, provider_message_id__in=ids)
    return ours.order_by("-created_at", "-pk").first()


def apply_report(report: DeliveryReport) -> Message | None:
    """Apply a provider's report to the message it is about, through the state machine.

    None when no message of ours has its ids (the caller keeps the payload as ignored). A report that the table
    does not allow (delivered after failed, a late "sent") changes nothing; the message is still returned.
    """
    with transaction.atomic():
        message = reported_message(report.channel, report.about)
        if message is None:
            return None
        new = REPORTED.get(report.outcome)
        if new is None or new == message.delivery_status:
            return message
        if new == S.FAILED:
            mark_failed(message, report.error or "The provider reported the message undeliverable.")
        else:
            _move(message, new, last_error="")
    return message
