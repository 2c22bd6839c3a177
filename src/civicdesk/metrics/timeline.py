"""The one definition of every metric event, from a case's raw timeline (docs/metrics.md says the same in words).

Pure functions over plain values: `case_events(case, messages, changes, schedule)` returns the events to count.

- created: the case's created_at.
- first response: the first message to the resident written by a person (outbound, not automatic, not a note, not a
  follower's copy of a public update) at or after creation; duration from creation. Counted once per case.
- next response: after the first response, each resident message that starts an unanswered stretch (no resident
  message is already waiting) is answered by the next person-written message to the resident; duration from that
  resident message. A resolution ends a stretch without an answer (no event).
- resolved: each change of status from not finished (new, open, in progress, waiting) to finished (resolved,
  closed); duration from creation, and (resolved_since_reopen) from the last reopen before it, or creation. The clock
  stops while the case waits on the resident (status "waiting"). A finished case with no such change in its trail
  (an import) has one resolution at its resolved_at (or closed_at).
- reopened: each change from finished to not finished.
- first contact: a resolution that is the case's first, of a case never reopened nor transferred, with at most one
  person-written message to the resident before it.
- Merged-away cases have no events at all (their messages moved to the surviving case).
Business durations use the Schedule of the case's current agency and team (calendars.business_time); each event
counts on its day in that calendar's time zone.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from civicdesk.calendars.business_time import Schedule, business_seconds
from civicdesk.cases.models import CaseStatus, Direction
from civicdesk.metrics.models import MetricKind

FINISHED = frozenset(CaseStatus.finished())


@dataclass(frozen=True)
class CaseFacts:
    """The case's own fields that metrics read."""

    id: int
    created_at: datetime
    status: str
    resolved_at: datetime | None
    closed_at: datetime | None
    merged: bool
    transferred: bool


@dataclass(frozen=True)
class MessageFacts:
    at: datetime
    direction: str
    automatic: bool
    follower_copy: bool

    @property
    def is_response(self) -> bool:
        """Written by a person to the resident: automatic messages and notes never count as a response."""
        return self.direction == Direction.OUTBOUND and not self.automatic and not self.follower_copy


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    status: str  # the status after the change


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    day: date
    calendar_seconds: float | None = None
    business_seconds: float | None = None


def _paused(waits: Sequence[tuple[datetime, datetime | None]], start: datetime, end: datetime,
            schedule: Schedule) -> tuple[float, float]:
    """Calendar and business seconds of [start, end) spent waiting on the resident."""
    calendar = business = 0.0
    for wait_start, wait_end in waits:
        low, high = max(wait_start, start), min(wait_end or end, end)
        if low < high:
            calendar += (high - low).total_seconds()
            business += business_seconds(schedule, low, high)
    return calendar, business


def _timed(kind: str, start: datetime, end: datetime, schedule: Schedule,
           waits: Sequence[tuple[datetime, datetime | None]] = ()) -> Event:
    calendar = (end - start).total_seconds()
    business = business_seconds(schedule, start, end)
    if waits:
        paused_calendar, paused_business = _paused(waits, start, end, schedule)
        calendar, business = calendar - paused_calendar, business - paused_business
    return Event(kind, end, end.astimezone(schedule.tz).date(), max(0.0, calendar), max(0.0, business))


def _on(kind: str, at: datetime, schedule: Schedule) -> Event:
    return Event(kind, at, at.astimezone(schedule.tz).date())


def _status_walk(case: CaseFacts, changes: Iterable[StatusChange]
                 ) -> tuple[list[datetime], list[datetime], list[tuple[datetime, datetime | None]]]:
    """Resolutions, reopens and waiting stretches, from the trail's status changes in order."""
    resolutions: list[datetime] = []
    reopens: list[datetime] = []
    waits: list[tuple[datetime, datetime | None]] = []
    status: str = CaseStatus.NEW
    waiting_since: datetime | None = None
    for change in changes:
        if change.status == status or change.status not in CaseStatus.values:
            continue
        if status == CaseStatus.WAITING and waiting_since is not None:
            waits.append((waiting_since, change.at))
            waiting_since = None
        if change.status == CaseStatus.WAITING:
            waiting_since = change.at
        if status not in FINISHED and change.status in FINISHED:
            resolutions.append(change.at)
        elif status in FINISHED and change.status not in FINISHED:
            reopens.append(change.at)
        status = change.status
    if waiting_since is not None:
        waits.append((waiting_since, None))
    if not resolutions and not reopens and case.status in FINISHED:
        finished = case.resolved_at or case.closed_at
        if finished is not None:
            resolutions.append(max(finished, case.created_at))
    return resolutions, reopens, waits


def _responses(case: CaseFacts, messages: Sequence[MessageFacts], resolutions: Sequence[datetime],
               schedule: Schedule) -> tuple[list[Event], int | None]:
    """First and next response events, and how many responses came before the first resolution."""
    events: list[Event] = []
    first: datetime | None = None
    waiting_since: datetime | None = None
    ends = sorted(resolutions)
    responses_before_first_resolution = 0
    for message in sorted(messages, key=lambda m: m.at):
        if message.at < case.created_at:
            continue
        while ends and ends[0] <= message.at:  # a resolution ends the resident's unanswered stretch
            ends.pop(0)
            waiting_since = None
        if message.is_response:
            if resolutions and message.at < resolutions[0]:
                responses_before_first_resolution += 1
            if first is None:
                first = message.at
                events.append(_timed(MetricKind.FIRST_RESPONSE, case.created_at, message.at, schedule))
            elif waiting_since is not None:
                events.append(_timed(MetricKind.NEXT_RESPONSE, waiting_since, message.at, schedule))
            waiting_since = None
        elif message.direction == Direction.INBOUND and first is not None and waiting_since is None:
            waiting_since = message.at
    return events, responses_before_first_resolution


def case_events(case: CaseFacts, messages: Sequence[MessageFacts], changes: Sequence[StatusChange],
                schedule: Schedule) -> list[Event]:
    """Every event the case counts, in the module's definitions, ordered by time."""
    if case.merged:
        return []
    resolutions, reopens, waits = _status_walk(case, sorted(changes, key=lambda c: c.at))
    events = [_on(MetricKind.CREATED, case.created_at, schedule)]
    responses, replies_before = _responses(case, messages, resolutions, schedule)
    events.extend(responses)
    for resolved in resolutions:
        earlier = [at for at in reopens if at <= resolved]
        events.append(_timed(MetricKind.RESOLVED, case.created_at, resolved, schedule, waits))
        events.append(_timed(MetricKind.RESOLVED_SINCE_REOPEN, earlier[-1] if earlier else case.created_at,
                             resolved, schedule, waits))
    if resolutions and not reopens and not case.transferred and (replies_before or 0) <= 1:
        events.append(_on(MetricKind.FIRST_CONTACT, resolutions[0], schedule))
    events.extend(_on(MetricKind.REOPENED, at, schedule) for at in reopens)
    return sorted(events, key=lambda e: e.at)
