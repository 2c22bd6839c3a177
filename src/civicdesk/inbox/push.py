"""Server-sent events for the staff pages: the "staff" feed of the shared stream hub (web/push.py).

Changes happen in task workers and other web processes, so they are read from the database: once a second the
hub's poller reads the cases touched in the last few seconds (the updated_at index) and, while any case page is
open, the change markers of the open cases (one query for all of them). A stream hears of a case only when its user
may see it (the scope is read once when the stream opens) and gets just the case numbers, which the page then
refreshes by the same request its one-second HTMX poll makes (the fallback when the stream is unavailable).
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from civicdesk.inbox.queries import CaseChange, StreamScope, case_markers, cases_changed_since
from civicdesk.web import push

POLL_SECONDS = 1.0
LOOKBACK = timedelta(seconds=5)  # a transaction that commits up to this long after its touch() is still seen
CHANGE_LIMIT = 1000  # most recent changes read per tick
STREAM_SECONDS = 180.0  # then the browser's EventSource reconnects (after RETRY_MS) and re-reads its scope
RETRY_MS = 2000


@dataclass(eq=False)
class Subscription(push.Subscription):
    """One open stream: the inbox's (case_id None) or one case page's."""

    scope: StreamScope
    case_id: int | None = None
    case_number: str = ""
    pending: set[str] = field(default_factory=set)

    def notify(self, numbers: list[str]) -> None:
        self.pending.update(numbers)
        self.wake.set()

    def take(self) -> str:
        if not self.pending:
            return ""
        numbers, self.pending = self.pending, set()
        return format_event(numbers)


@dataclass
class Changes:
    cases: list[CaseChange] = field(default_factory=list)
    changed_case_ids: set[int] = field(default_factory=set)


class StaffFeed(push.Feed[Subscription, Changes]):
    """The cursor (what was already seen) and the filter of the staff streams. read() runs in the hub's thread."""

    name = "staff"

    def __init__(self) -> None:
        self.floor: datetime | None = None
        self.seen: dict[int, datetime] = {}
        self.markers: dict[int, str] = {}

    def interval(self) -> float:
        return POLL_SECONDS

    def snapshot(self, subscriptions: list[Subscription]) -> frozenset[int]:
        return frozenset(s.case_id for s in subscriptions if s.case_id is not None)

    def empty(self) -> Changes:
        return Changes()

    def read(self, watched: frozenset[int]) -> Changes:
        first = self.floor is None
        floor = self.floor or timezone.now() - LOOKBACK
        rows = cases_changed_since(floor, CHANGE_LIMIT)
        fresh = [row for row in rows if self.seen.get(row.id) != row.updated_at]
        for row in fresh:
            self.seen[row.id] = row.updated_at
        if rows:
            self.floor = max(floor, rows[0].updated_at - LOOKBACK)
            self.seen = {pk: at for pk, at in self.seen.items() if at >= self.floor}
        else:
            self.floor = floor
        changes = Changes(cases=[] if first else fresh)
        if watched:
            markers = case_markers(watched)
            changes.changed_case_ids = {pk for pk, marker in markers.items()
                                        if pk in self.markers and self.markers[pk] != marker}
            self.markers = markers
        else:
            self.markers = {}
        return changes

    def fan_out(self, changes: Changes, subscriptions: list[Subscription]) -> bool:
        for subscription in subscriptions:
            if subscription.case_id is None:
                numbers = [change.number for change in changes.cases if subscription.scope.may_see(change)]
                if numbers:
                    subscription.notify(numbers)
            elif subscription.case_id in changes.changed_case_ids:
                subscription.notify([subscription.case_number])
        return False

    def stopped(self) -> None:
        self.floor, self.seen, self.markers = None, {}, {}


def hub() -> push.Hub[Subscription, Changes]:
    """The staff feed's hub of the running event loop."""
    return push.hub(StaffFeed.name, StaffFeed)


def shutdown() -> None:
    """End every open stream now (server shutdown); new ones end at once."""
    push.shutdown()


def format_event(numbers: set[str]) -> str:
    return f"event: changed\ndata: {' '.join(sorted(numbers))}\n\n"


def stream(subscription: Subscription, seconds: float) -> AsyncIterator[str]:
    """The event stream: `retry`, then `changed` events (case numbers) and keep-alive comments until it ends."""
    return push.stream(hub(), subscription, seconds, retry_ms=RETRY_MS, greeting=": connected\n\n")
