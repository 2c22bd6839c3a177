"""Server-sent events for the staff pages: one shared poller per process reads the change cursor, streams fan out.

Changes happen in task workers and other web processes, so they are read from the database: once a second one
task per process reads the cases touched in the last few seconds (the updated_at index) and, while any case page
is open, the change markers of the open cases (one query for all of them). Each connected stream only waits on an
asyncio.Event, so idle tabs add no queries. A stream hears of a case only when its user may see it (the scope is
read once when the stream opens) and gets just the case numbers, which the page then refreshes by the same request
its one-second HTMX poll makes (the fallback when the stream is unavailable).
"""

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connections
from django.utils import timezone

from civicdesk.inbox.queries import CaseChange, StreamScope, case_markers, cases_changed_since

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
LOOKBACK = timedelta(seconds=5)  # a transaction that commits up to this long after its touch() is still seen
CHANGE_LIMIT = 1000  # most recent changes read per tick
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 180.0  # then the browser's EventSource reconnects (after RETRY_MS) and re-reads its scope
RETRY_MS = 2000


@dataclass(eq=False)
class Subscription:
    """One open stream: the inbox's (case_id None) or one case page's."""

    scope: StreamScope
    case_id: int | None = None
    case_number: str = ""
    pending: set[str] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False

    def notify(self, numbers: list[str]) -> None:
        self.pending.update(numbers)
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()


@dataclass
class Changes:
    cases: list[CaseChange] = field(default_factory=list)
    changed_case_ids: set[int] = field(default_factory=set)


class ChangeReader:
    """The cursor: what was already seen. read() runs in the hub's own thread, with its own connection."""

    def __init__(self) -> None:
        self.floor: datetime | None = None
        self.seen: dict[int, datetime] = {}
        self.markers: dict[int, str] = {}

    def read(self, watched: frozenset[int]) -> Changes:
        try:
            return self._read(watched)
        except DatabaseError:
            log.warning("The live-update poller could not read the database; retrying", exc_info=True)
            connections["default"].close()
            return Changes()

    def _read(self, watched: frozenset[int]) -> Changes:
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

    @staticmethod
    def close() -> None:
        connections.close_all()


class Hub:
    """The shared poller of one event loop: runs while any stream is open."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.subscriptions: set[Subscription] = set()
        self.task: asyncio.Task[None] | None = None
        self.closing = False
        self.reader = ChangeReader()
        self.ticks = 0

    def subscribe(self, subscription: Subscription) -> None:
        if self.closing:
            subscription.close()
            return
        self.subscriptions.add(subscription)
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self.run(), name="civicdesk-push-poller")

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    def close(self) -> None:
        self.closing = True
        for subscription in list(self.subscriptions):
            subscription.close()

    async def run(self) -> None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="civicdesk-push")
        try:
            while self.subscriptions and not self.closing:
                watched = frozenset(s.case_id for s in self.subscriptions if s.case_id is not None)
                changes = await self.loop.run_in_executor(executor, self.reader.read, watched)
                self.ticks += 1
                self.fan_out(changes)
                await asyncio.sleep(POLL_SECONDS)
        finally:
            executor.submit(ChangeReader.close)  # in the thread that opened the connection
            executor.shutdown(wait=False)
            self.reader = ChangeReader()  # a later start begins from "now" again

    def fan_out(self, changes: Changes) -> None:
        for subscription in list(self.subscriptions):
            if subscription.case_id is None:
                numbers = [change.number for change in changes.cases if subscription.scope.may_see(change)]
                if numbers:
                    subscription.notify(numbers)
            elif subscription.case_id in changes.changed_case_ids:
                subscription.notify([subscription.case_number])


_hub: Hub | None = None


def hub() -> Hub:
    """The hub of the running event loop (one per process in production; tests may run several loops in turn)."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = Hub(loop)
    return _hub


def shutdown() -> None:
    """End every open stream now (server shutdown); new ones end at once."""
    if _hub is not None:
        _hub.close()


def install_shutdown_hook() -> None:
    """Chain shutdown() onto the server's SIGTERM and SIGINT handlers (uvicorn waits for open responses to end)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def handler(number: int, frame: Any, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(shutdown)
            previous(number, frame)

        try:
            signal.signal(signum, handler)
        except ValueError:  # not the main thread: the server runs elsewhere and stops streams by lifetime alone
            return


def format_event(numbers: set[str]) -> str:
    return f"event: changed\ndata: {' '.join(sorted(numbers))}\n\n"


async def stream(subscription: Subscription, seconds: float) -> AsyncIterator[str]:
    """The event stream: `retry`, then `changed` events (case numbers) and keep-alive comments until it ends."""
    current = hub()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, seconds)
    current.subscribe(subscription)
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        while not subscription.closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(subscription.wake.wait(), timeout=min(KEEPALIVE_SECONDS, remaining))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            subscription.wake.clear()
            if subscription.pending:
                numbers, subscription.pending = subscription.pending, set()
                yield format_event(numbers)
    finally:
        current.unsubscribe(subscription)
