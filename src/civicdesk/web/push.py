"""Server-sent event streams: per process, one poller for each kind of stream (a feed), fanning out to its streams.

Changes happen in other processes (web workers, task workers), so each feed reads them from the database. A Feed
supplies only its own part: what changed since its cursor (read(), in the hub's own thread and connection) and who
may hear what (fan_out(), on the event loop, over the open subscriptions). Its Hub runs one task per process while
any of its streams is open: read, fan out, then wait for the feed's interval or a poke (a write committed in this
process, a new stream, or a wake from another process on this host: web/pushwake.py). A stream only waits on its
own asyncio.Event, so idle tabs add no queries. stream() frames it as server-sent events: `retry` and a greeting,
the feed's events, keep-alive comments, and the end of the stream's lifetime, after which the browser's EventSource
reconnects (and the view reads the user's scope again). Where no stream can be held (WSGI) the pages poll instead.
"""

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import DatabaseError, connections

from civicdesk.web import pushwake

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0


@dataclass(eq=False)
class Subscription:
    """One open stream. A feed's subclass adds its filter (who may hear what) and what is pending for it."""

    wake: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    closed: bool = field(default=False, init=False)

    def close(self) -> None:
        self.closed = True
        self.wake.set()

    def take(self) -> str:
        """The pending events, framed, and forget them ("" when there are none)."""
        raise NotImplementedError


S = TypeVar("S", bound=Subscription)
R = TypeVar("R")


class Feed(Generic[S, R]):
    """One kind of stream: its query and its filter. `read` runs in the hub's thread; the rest on the event loop."""

    name = "feed"
    read_on_subscribe = False  # a new stream makes the hub read at once (it may have missed events since its cursor)
    wakeable = False  # other processes' writes wake this feed's hubs (pushwake) instead of waiting for the interval

    def interval(self) -> float:
        raise NotImplementedError

    def snapshot(self, subscriptions: list[S]) -> Any:
        """What the next read needs of the open streams (their cursors, the watched ids)."""
        raise NotImplementedError

    def read(self, snapshot: Any) -> R:
        raise NotImplementedError

    def empty(self) -> R:
        """The reading of a tick whose query failed."""
        raise NotImplementedError

    def fan_out(self, reading: R, subscriptions: list[S]) -> bool:
        """Give each stream what it may hear; True to read again at once."""
        raise NotImplementedError

    def subscribed(self, subscription: S) -> None:
        """A stream opened (a feed may want to read something for it at once)."""

    def poked(self, topic: str) -> bool:
        """A write of `topic` (in the feed's own words; "" for any) was committed: read at once (True), or leave it
        to the next read (a write none of this process's streams may hear)?"""
        return True

    def stopped(self) -> None:
        """The poller stopped: a later start begins from "now" again."""


class Hub(Generic[S, R]):
    """The shared poller of one feed in one event loop: runs while any of its streams is open."""

    def __init__(self, loop: asyncio.AbstractEventLoop, feed: Feed[S, R]) -> None:
        self.loop = loop
        self.feed = feed
        self.subscriptions: set[S] = set()
        self.task: asyncio.Task[None] | None = None
        self.closing = False
        self.poked = asyncio.Event()
        self.ticks = 0

    def subscribe(self, subscription: S) -> None:
        if self.closing:
            subscription.close()
            return
        self.subscriptions.add(subscription)
        self.feed.subscribed(subscription)
        if self.feed.read_on_subscribe:
            self.poked.set()
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self.run(), name=f"civicdesk-{self.feed.name}-poller")

    def unsubscribe(self, subscription: S) -> None:
        self.subscriptions.discard(subscription)
        if not self.subscriptions:
            self.poked.set()  # the poller stops now, not after its interval

    def close(self) -> None:
        self.closing = True
        for subscription in list(self.subscriptions):
            subscription.close()

    def poke(self, topic: str = "") -> None:
        """Read now (from the loop's thread); see poke() for other threads."""
        if self.subscriptions and self.feed.poked(topic):
            self.poked.set()

    def _read(self, snapshot: Any) -> R:
        try:
            return self.feed.read(snapshot)
        except DatabaseError:
            log.warning("The %s stream poller could not read the database; retrying", self.feed.name, exc_info=True)
            connections["default"].close()
            return self.feed.empty()

    async def run(self) -> None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"civicdesk-{self.feed.name}")
        listener = pushwake.listen(self.feed.name, self.poke) if self.feed.wakeable else None
        try:
            while self.subscriptions and not self.closing:
                self.poked.clear()
                snapshot = self.feed.snapshot(list(self.subscriptions))
                reading = await self.loop.run_in_executor(executor, self._read, snapshot)
                self.ticks += 1
                if self.feed.fan_out(reading, list(self.subscriptions)):
                    self.poked.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.poked.wait(), timeout=self.feed.interval())
        finally:
            if listener is not None:
                listener.close()
            executor.submit(connections.close_all)  # in the thread that opened the connection
            executor.shutdown(wait=False)
            self.feed.stopped()


_hubs: dict[str, Hub[Any, Any]] = {}
_shut_loop: asyncio.AbstractEventLoop | None = None


def hub(name: str, make_feed: Callable[[], Feed[Any, Any]]) -> Hub[Any, Any]:
    """The running loop's hub of a feed (one per process in production; tests may run several loops in turn)."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(name)
    if current is None or current.loop is not loop:
        current = _hubs[name] = Hub(loop, make_feed())
        current.closing = _shut_loop is loop
    return current


def current_hub(name: str) -> Hub[Any, Any] | None:
    return _hubs.get(name)


def poke(name: str, topic: str = "") -> None:
    """A write this feed's streams may want was committed (`topic`: which part of the feed, in the feed's words):
    this process's hub reads now, and so do the hubs of the other processes on this host that hold streams of the
    feed. Safe from any thread; costs nothing when idle."""
    current = _hubs.get(name)
    if current is not None and current.subscriptions:
        with contextlib.suppress(RuntimeError):  # the loop has closed
            current.loop.call_soon_threadsafe(current.poke, topic)
    pushwake.wake(name, topic)


def shutdown() -> None:
    """End every open stream now (server shutdown, in the loop's thread); new ones end at once."""
    global _shut_loop
    for current in list(_hubs.values()):
        current.close()
        _shut_loop = current.loop


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
        except ValueError:  # not the main thread: the server runs elsewhere and streams end by their lifetime alone
            return


async def stream(current: Hub[S, Any], subscription: S, seconds: float, *, retry_ms: int,
                 greeting: str) -> AsyncIterator[str]:
    """The event stream: `retry` and the greeting (an SSE block), then the feed's events and keep-alive comments,
    until the client leaves, the server shuts down or `seconds` pass."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, seconds)
    current.subscribe(subscription)
    try:
        yield f"retry: {retry_ms}\n{greeting}"
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
            if text := subscription.take():
                yield text
    finally:
        current.unsubscribe(subscription)
