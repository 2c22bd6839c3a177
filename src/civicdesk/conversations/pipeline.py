"""The one ingest pipeline: parse a stored payload into events, prepare each outside the write transaction, apply.

prepare() does the read-only work (service lookup, routing) before any write lock is taken; apply() runs every
event of one payload in one transaction, so a crash leaves nothing half done, and each event takes effect once:
a message by its Message row (unique on its provider id and content), any other event by an AppliedEvent row.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from civicdesk.agencies.models import Service
from civicdesk.cases.models import Case, Message
from civicdesk.cases.routing import Route, RoutingInput, choose_route
from civicdesk.channels.events import (
    AuthorEdit,
    CallPart,
    DeliveryReport,
    InboundEvent,
    InboundMessage,
    OptOut,
    event_digest,
)
from civicdesk.channels.models import Channel, InboundPayload, PayloadStatus
from civicdesk.channels.payloads import quarantine
from civicdesk.channels.protocol import ParseError
from civicdesk.channels.registry import get_adapter
from civicdesk.contacts.identities import InvalidIdentity
from civicdesk.conversations import inbound_hooks, replies
from civicdesk.conversations.author_events import apply_author_edit, apply_opt_out
from civicdesk.conversations.delivery import apply_report
from civicdesk.conversations.inbound import account_or_named_agency, apply_message
from civicdesk.conversations.keyword_texts import apply_keyword, keyword_in
from civicdesk.conversations.models import AppliedEvent, Conversation, EventKind
from civicdesk.conversations.stop_requests import flag_if_asked
from civicdesk.conversations.voicemail import apply_call_part
from civicdesk.core.gathering import gathering
from civicdesk.core.row_updates import update_rows

log = logging.getLogger(__name__)
OUTCOME = ["status", "case", "message", "error", "processed_at"]  # what apply() writes on the payload
_outcomes: ContextVar[list[InboundPayload] | None] = ContextVar("payload_outcomes", default=None)
DONE = (PayloadStatus.PROCESSED, PayloadStatus.DUPLICATE, PayloadStatus.IGNORED)
T = TypeVar("T")


class EventOutcome(models.TextChoices):
    APPLIED = "applied", "Applied"
    DUPLICATE = "duplicate", "Already applied"
    IGNORED = "ignored", "Ignored"


@dataclass
class Prepared:
    """One event with what was looked up for it before the write transaction (plain reads, no locks)."""

    event: InboundEvent
    service: Service | None = None
    route: Route | None = None  # where a new case of this message goes, unless it continues a case


@dataclass
class IngestResult:
    payload: InboundPayload
    case: Case | None = None  # of the first message (or the message a delivery report is about)
    message: Message | None = None
    created: bool = False  # a new case was made
    stored: bool = False  # the payload was new (not a repeat of a stored one)
    outcomes: list[str] = field(default_factory=list)  # an EventOutcome per event, in order
    # each new case's first message and its conversation: its acknowledgement goes there without reading them back
    # (and whether its sender's identity was added for it: no opt-out can name it, so none is looked up)
    received: dict[int, tuple[Message, Conversation | None, bool]] = field(default_factory=dict)


def prepare(event: InboundEvent, *, service: Service | None = None) -> Prepared:
    """The read-only half: the service of a message's service code and the route of a new case.

    A caller that already holds the service (the Open311 view validated against it) passes it in."""
    if isinstance(event, CallPart):  # a voicemail's part may make the call's message: routed like one
        inner = prepare(event.message, service=service)
        return Prepared(event, inner.service, inner.route)
    if not isinstance(event, InboundMessage):
        return Prepared(event)
    if service is None and event.service_code:
        service = Service.objects.select_related("agency", "default_team").filter(code=event.service_code).first()
    if event.case_number:  # an explicit thread (an Open311 update): a new case is unlikely, so apply() routes one
        return Prepared(event, service)
    try:
        route = choose_route(RoutingInput(service=service, agency_slug=account_or_named_agency(event), lat=event.lat,
                                          lon=event.lon))
    except LookupError:  # no agency at all yet: apply() tries again and reports it
        route = None
    return Prepared(event, service, route)


def process(payload: InboundPayload, prepared: Sequence[Prepared] | None = None) -> IngestResult:
    """Parse, prepare and apply a stored payload exactly once. Safe to call again after a crash.

    `prepared` is what the channel's adapter and prepare() make of these stored bytes, when the caller (a view that
    validated the same body before storing it) already has it: that work is not done twice.
    """
    if payload.status in DONE:
        return IngestResult(payload, payload.case, payload.message)
    if prepared is None:  # an inline caller runs inside the transaction that stored the payload: nothing to count
        InboundPayload.objects.filter(pk=payload.pk).update(attempts=payload.attempts + 1)
        events = parse(payload)
        if events is None:
            return IngestResult(payload)
        prepared = [prepare(event) for event in events]
    try:
        return apply(payload, prepared)
    except InvalidIdentity as exc:
        quarantine(payload, str(exc))
        return IngestResult(payload)


def parse(payload: InboundPayload) -> list[InboundEvent] | None:
    """The stored bytes' events by the channel's adapter, or None: the payload could not be read and is quarantined."""
    try:
        return list(get_adapter(payload.channel).parse(bytes(payload.raw), payload.meta))
    except ParseError as exc:
        quarantine(payload, str(exc))
        get_adapter(payload.channel).quarantined(payload, exc)
    except Exception as exc:  # a bug in a parser must not lose the message either
        log.exception("Parser for %s crashed on payload %s", payload.channel, payload.pk)
        quarantine(payload, f"Parser error: {type(exc).__name__}: {exc}")
    return None


@transaction.atomic
def apply(payload: InboundPayload, prepared: Sequence[Prepared]) -> IngestResult:
    """Every event of the payload, then the payload's status, in one transaction: all of it or none of it."""
    return apply_in_transaction(payload, prepared)


def apply_in_transaction(payload: InboundPayload, prepared: Sequence[Prepared]) -> IngestResult:
    """apply() inside a transaction the caller holds and rolls back whole on any error (the batch worker's group:
    no savepoint per payload)."""
    result = IngestResult(payload)
    created: list[Case] = []
    for item in prepared:
        outcome, new_case = _apply_event(payload, item, result, single=len(prepared) == 1)
        result.outcomes.append(outcome)
        if new_case is not None:
            created.append(new_case)
    if EventOutcome.APPLIED in result.outcomes:
        status = PayloadStatus.PROCESSED
    elif EventOutcome.DUPLICATE in result.outcomes:
        status = PayloadStatus.DUPLICATE
    else:
        status = PayloadStatus.IGNORED
    payload.status, payload.case, payload.message = status, result.case, result.message
    payload.error, payload.processed_at = "", timezone.now()
    pending = _outcomes.get()
    if pending is not None:
        pending.append(payload)
    else:
        InboundPayload.objects.filter(pk=payload.pk).update(**{name: getattr(payload, name) for name in OUTCOME})
    for case in created:
        received, conversation, new_sender = result.received.get(case.pk, (None, None, False))
        replies.acknowledge(case, received=received, conversation=conversation, new_sender=new_sender)
    return result


@contextmanager
def outcomes_gathered() -> Iterator[None]:
    """The payloads' outcomes apply() writes inside, written by one UPDATE when it ends without an error (the batch
    worker's group, whose transaction spans it); on an error they are dropped with the group."""
    with gathering(_outcomes, [], _write_outcomes):
        yield


def _write_outcomes(pending: list[InboundPayload]) -> None:
    update_rows(InboundPayload, pending, ["status", "case", "message"],
                same={"error": "", "processed_at": timezone.now()})


def _apply_event(payload: InboundPayload, item: Prepared, result: IngestResult,
                 *, single: bool) -> tuple[str, Case | None]:
    """One event's outcome, and the case it made (if it made one)."""
    event = item.event
    if isinstance(event, InboundMessage):
        taken = inbound_hooks.take(event)  # a survey answer, a text command (JOIN to crisis alerts): no case
        if taken is not None and taken.effect is not None:  # a command: its own answer, once per provider id
            outcome, _answer = once(payload, event.channel, event.provider_message_id, EventKind.KEYWORD,
                                    taken.effect)
            return outcome, None
        if taken is not None and taken.consumed:
            return (EventOutcome.DUPLICATE if taken.duplicate else EventOutcome.APPLIED), None
        if taken is not None:
            event = taken.event
        keyword = keyword_in(event)
        if keyword is not None:  # STOP, START, HELP: consent and one answer, no case
            outcome, _answer = once(payload, event.channel, event.provider_message_id, EventKind.KEYWORD,
                                    lambda: apply_keyword(event, keyword))
            return outcome, None
        done = apply_message(event, service=item.service, route=item.route,
                             content_hash=payload.content_hash if single else event_hash(event),
                             reuses_provider_id=payload.reuses_provider_id and single)
        _note(result, done.message, created=done.created_case)
        if done.created_case and done.message.case_id is not None:
            result.received[done.message.case_id] = (done.message, done.conversation, done.new_sender)
        if done.duplicate:
            return EventOutcome.DUPLICATE, None
        flag_if_asked(event, done.message)  # "please stop texting me": on the case, and flagged for a person
        return EventOutcome.APPLIED, done.message.case if done.created_case else None
    if isinstance(event, DeliveryReport):
        outcome, reported = once(payload, event.channel, event.provider_message_id, EventKind.DELIVERY_REPORT,
                                 lambda: apply_report(event))
        _note(result, reported)
        return outcome, None
    if isinstance(event, OptOut):
        outcome, _identity = once(payload, event.channel, event.provider_message_id, EventKind.OPT_OUT,
                                  lambda: apply_opt_out(event))
        return outcome, None
    if isinstance(event, CallPart):
        outcome, applied = once(payload, Channel.PHONE, event.part_id, EventKind.CALL_PART,
                                lambda: apply_call_part(event, service=item.service, route=item.route))
        if applied is None:
            return outcome, None
        _note(result, applied[0], created=applied[1])
        return outcome, applied[0].case if applied[1] else None
    if isinstance(event, AuthorEdit):
        outcome, _edited = once(payload, event.channel, event.provider_message_id, EventKind.AUTHOR_EDIT,
                                lambda: apply_author_edit(event))
        return outcome, None
    return EventOutcome.IGNORED, None  # Ignored: an auto-reply, a typing indicator, our own echo


def _note(result: IngestResult, message: Message | None, *, created: bool = False) -> None:
    """The payload points at its first message (or the message a report was about)."""
    if message is not None and result.message is None:
        result.message, result.case, result.created = message, message.case, created


class _NothingToApply(Exception):
    pass


def once(payload: InboundPayload, channel: str, event_id: str, kind: str,
         effect: Callable[[], T | None]) -> tuple[str, T | None]:
    """Run `effect` unless this event already took effect; claim it in the same savepoint as the effect.

    An effect that finds nothing to act on (a report about an id we do not know) returns None: the event is
    ignored and not claimed, so a replay after the message it is about arrived can still apply it."""
    if event_id and AppliedEvent.objects.filter(channel=channel, event_id=event_id[:300]).exists():
        return EventOutcome.DUPLICATE, None
    try:
        with transaction.atomic():
            if event_id:
                AppliedEvent.objects.create(channel=channel, event_id=event_id[:300], kind=kind, payload=payload,
                                            applied_at=timezone.now())
            done = effect()
            if done is None:
                raise _NothingToApply
    except _NothingToApply:
        return EventOutcome.IGNORED, None
    except IntegrityError:  # another process applied it at the same moment
        return EventOutcome.DUPLICATE, None
    return EventOutcome.APPLIED, done


def event_hash(event: InboundEvent) -> str:
    """What tells one event of a batched payload from another with the same provider id: a hash of its values."""
    return event_digest(event)


def replay(payload: InboundPayload) -> IngestResult:
    """An admin's replay of a quarantined payload, after a fix to the parser or the data."""
    InboundPayload.objects.filter(pk=payload.pk).update(status=PayloadStatus.RECEIVED, error="")
    payload.refresh_from_db()
    return process(payload)
