"""Typed case events and their subscribers, declared in code: the side effects of creating or changing a case.

`publish()` runs every subscriber of the event's type in the caller's transaction, in subscription order. Apps
above `cases` subscribe in their `AppConfig.ready()` (cases never imports them), and cases/tests/test_events.py
lists the exact subscribers of each event type, so a new side effect cannot be added without that test changing.

A subscriber that reads per case may also register a lookahead: `lookahead(case_ids)` gathers, in one query each,
what the subscribers would read for many cases about to change one after the other (a bulk action), for
`core.prefetch.ahead`; the subscriber takes its answer with `prefetch.take`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from civicdesk.cases.models import Case, Message
from civicdesk.cases.routing import Route


@dataclass(frozen=True)
class CaseCreated:
    """A case was just created (inside create_case's transaction), with the route that chose its owner."""

    case: Case
    route: Route


@dataclass(frozen=True)
class CaseChanged:
    """Fields of a case were just saved by cases.actions.touch (updated_at is implied, not listed)."""

    case: Case
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CaseAssigned:
    """A case's assignee was just set (cases.actions.assign or an admin edit), in the write's transaction.

    `actor` is the user who did it (None: routing or the system); `audit_id` is the assignment's audit entry, which
    names this one event (a retried job that assigns again makes a new entry, with previous_id == assignee_id)."""

    case: Case
    assignee_id: int | None
    previous_id: int | None
    actor: Any
    audit_id: int | None


@dataclass(frozen=True)
class MessageAdded:
    """A message was just stored on a case: a resident's inbound message (conversations.inbound, any channel), a
    staff note (cases.actions.add_note) or a reply to the resident (add_outbound_message)."""

    case: Case
    message: Message


CaseEvent = CaseCreated | CaseChanged | CaseAssigned | MessageAdded
E = TypeVar("E", CaseCreated, CaseChanged, CaseAssigned, MessageAdded)
Handler = Callable[[E], None]

_subscribers: dict[type, list[Callable[..., None]]] = {CaseCreated: [], CaseChanged: [], CaseAssigned: [],
                                                        MessageAdded: []}


def subscribe(event_type: type[E], handler: Handler[E]) -> None:
    """Run handler(event) on every published event of this type; subscribing the same handler twice is a no-op."""
    if event_type not in _subscribers:
        raise TypeError(f"{event_type!r} is not a case event type.")
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def subscribers(event_type: type[E]) -> tuple[Handler[E], ...]:
    return tuple(_subscribers[event_type])


Lookahead = Callable[[list[int]], dict[str, dict[Any, Any]]]
_lookaheads: list[Lookahead] = []


def subscribe_lookahead(read_ahead: Lookahead) -> None:
    """Call read_ahead(case_ids) in lookahead(); registering the same function twice is a no-op."""
    if read_ahead not in _lookaheads:
        _lookaheads.append(read_ahead)


def lookahead(case_ids: list[int]) -> dict[str, dict[Any, Any]]:
    """Every registered lookahead's answers for these cases, merged, for prefetch.ahead()."""
    answers: dict[str, dict[Any, Any]] = {}
    for read_ahead in _lookaheads if case_ids else ():
        answers.update(read_ahead(case_ids))
    return answers


def publish(event: CaseEvent) -> None:
    for handler in _subscribers[type(event)]:
        handler(event)
