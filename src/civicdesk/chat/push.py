"""The live chat transport, shared by the resident's widget and the agents' desk (server-sent events, polling).

Writers: every chat action writes, in its transaction, a ChatEvent with the session's next seq (1, 2, 3 ...) and
raises ChatSession.last_seq, under the session's row lock, so seq order is commit order within a session.

Readers, push (ASGI): one Hub per process, as inbox/push.py: while any chat stream is open, one task ticks every
CHAT_POLL_SECONDS (0.1 s) and reads, in its own thread and connection,
  1. last_seq of the watched sessions (a primary-key lookup), then the events past the lowest cursor of the
     sessions that moved (one query with their messages);
  2. once a second, the waiting sessions of the watched agencies (queue positions for residents, "the queue
     changed" for agents) and which sessions each watching agent now holds.
Each stream is a Subscription (its sessions with a cursor each, its agencies); it only waits on an asyncio.Event.
A chat action in this process pokes the hub on commit (poke()), so same-process delivery does not wait for a tick.
Events go out as `event: chat` with a JSON body (chat/wire.py); a resident's stream carries `id: <seq>`, so a
reconnecting EventSource resumes after Last-Event-ID. The agents' desk (chat-desk) opens Subscription(agent_id=...,
agency_ids=...) streams on the same hub and gets `event: queue` when its agencies' queue changes.

Readers, fallback: where the stream is unavailable (WSGI answers 204; an old browser; a buffering proxy), pages
poll every second with the cursor they hold (queries.events_after), so nothing is missed either way.
"""

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Q

from civicdesk.chat.models import ChatEvent, ChatSession, ChatStatus
from civicdesk.chat.wire import event_json

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 180.0  # then the browser reconnects (after RETRY_MS) with Last-Event-ID
RETRY_MS = 1000
QUEUE_EVERY = 10  # ticks between queue reads (about a second)


@dataclass(eq=False)
class Subscription:
    """One open stream: a resident's (one session, its agency's queue position) or an agent's (their chats and
    the queue of their agencies; agency_ids None: every agency)."""

    cursors: dict[int, int] = field(default_factory=dict)  # session id -> the last seq this stream has
    keys: dict[int, str] = field(default_factory=dict)  # session id -> its public key (for the JSON)
    agent_id: int | None = None
    agency_ids: frozenset[int] | None = frozenset()
    resident: bool = False
    position: int | None = None
    queue_signature: tuple[int, ...] = ()
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False

    def push(self, name: str, data: dict[str, Any]) -> None:
        self.pending.append((name, data))
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()


@dataclass
class Reading:
    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # session id -> events (JSON), in order
    keys: dict[int, str] = field(default_factory=dict)
    queue: dict[int, list[int]] | None = None  # agency id -> waiting session ids in order (None: not read)
    held: dict[int, set[int]] = field(default_factory=dict)  # agent id -> active session ids


def read(cursors: dict[int, int], agencies: set[int] | None, agents: set[int], with_queue: bool) -> Reading:
    """One tick's reads, in the hub's thread: `cursors` is the lowest cursor per watched session."""
    try:
        return _read(cursors, agencies, agents, with_queue)
    except DatabaseError:
        log.warning("The chat poller could not read the database; retrying", exc_info=True)
        connections["default"].close()
        return Reading()


def _read(cursors: dict[int, int], agencies: set[int] | None, agents: set[int], with_queue: bool) -> Reading:
    reading = Reading()
    if cursors:
        moved = {pk: key for pk, last, key in ChatSession.objects.filter(pk__in=list(cursors)).values_list(
            "pk", "last_seq", "key") if last > cursors[pk]}
        if moved:
            reading.keys = {pk: str(key) for pk, key in moved.items()}
            wanted = Q()
            for pk in moved:
                wanted |= Q(session_id=pk, seq__gt=cursors[pk])
            rows = (ChatEvent.objects.filter(wanted).select_related("message", "message__author")
                    .order_by("session_id", "seq")[:2000])
            for event in rows:
                reading.events.setdefault(event.session_id, []).append(
                    event_json(event, reading.keys[event.session_id]))
    if with_queue:
        waiting = ChatSession.objects.filter(status=ChatStatus.WAITING)
        if agencies is not None:
            waiting = waiting.filter(agency_id__in=agencies)
        reading.queue = {}
        for pk, agency_id in waiting.order_by("created_at", "pk").values_list("pk", "agency_id"):
            reading.queue.setdefault(agency_id, []).append(pk)
        if agents:
            reading.held = {agent: set() for agent in agents}
            for pk, agent_id, key in ChatSession.objects.filter(status=ChatStatus.ACTIVE, agent_id__in=agents) \
                    .values_list("pk", "agent_id", "key"):
                reading.held[agent_id].add(pk)
                reading.keys.setdefault(pk, str(key))
    return reading


class Hub:
    """The shared poller of one event loop: runs while any chat stream is open."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.subscriptions: set[Subscription] = set()
        self.task: asyncio.Task[None] | None = None
        self.closing = False
        self.poked = asyncio.Event()
        self.ticks = 0

    def subscribe(self, subscription: Subscription) -> None:
        if self.closing:
            subscription.close()
            return
        self.subscriptions.add(subscription)
        self.poked.set()  # read at once: the stream may have missed events since its cursor
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self.run(), name="civicdesk-chat-poller")

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    def close(self) -> None:
        self.closing = True
        for subscription in list(self.subscriptions):
            subscription.close()

    def watched(self) -> tuple[dict[int, int], set[int] | None, set[int]]:
        cursors: dict[int, int] = {}
        agencies: set[int] | None = set()
        agents: set[int] = set()
        for subscription in self.subscriptions:
            for pk, seq in subscription.cursors.items():
                cursors[pk] = min(seq, cursors.get(pk, seq))
            if subscription.agency_ids is None:
                agencies = None
            elif agencies is not None:
                agencies |= subscription.agency_ids
            if subscription.agent_id is not None:
                agents.add(subscription.agent_id)
        return cursors, agencies, agents

    async def run(self) -> None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="civicdesk-chat")
        seconds = float(settings.CHAT_POLL_SECONDS)
        try:
            while self.subscriptions and not self.closing:
                self.poked.clear()
                cursors, agencies, agents = self.watched()
                with_queue = self.ticks % QUEUE_EVERY == 0 and (agencies is None or bool(agencies) or bool(agents))
                reading = await self.loop.run_in_executor(executor, read, cursors, agencies, agents, with_queue)
                self.ticks += 1
                self.fan_out(reading)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.poked.wait(), timeout=seconds)
        finally:
            executor.submit(connections.close_all)  # in the thread that opened the connection
            executor.shutdown(wait=False)

    def fan_out(self, reading: Reading) -> None:
        for subscription in list(self.subscriptions):
            if subscription.agent_id is not None and subscription.agent_id in reading.held:
                for pk in reading.held[subscription.agent_id] - set(subscription.cursors):
                    subscription.cursors[pk] = 0  # a chat this agent took elsewhere: its whole log
                    subscription.keys[pk] = reading.keys.get(pk, "")
                    self.poked.set()
            for pk, events in reading.events.items():
                if pk not in subscription.cursors:
                    continue
                for event in events:
                    if event["seq"] > subscription.cursors[pk]:
                        subscription.push("chat", event)
                        subscription.cursors[pk] = event["seq"]
            if reading.queue is not None:
                self.fan_out_queue(subscription, reading.queue)

    @staticmethod
    def fan_out_queue(subscription: Subscription, queue: dict[int, list[int]]) -> None:
        if subscription.resident:
            for agency_waiting in queue.values():
                for index, pk in enumerate(agency_waiting):
                    if pk in subscription.cursors and subscription.position != index + 1:
                        subscription.position = index + 1
                        subscription.push("position", {"position": index + 1})
            return
        mine = sorted(pk for agency_id, pks in queue.items()
                      if subscription.agency_ids is None or agency_id in subscription.agency_ids for pk in pks)
        if tuple(mine) != subscription.queue_signature:
            subscription.queue_signature = tuple(mine)
            subscription.push("queue", {"waiting": len(mine)})


_hub: Hub | None = None


def hub() -> Hub:
    """The hub of the running event loop (one per process in production; tests may run several loops in turn)."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = Hub(loop)
    return _hub


def poke() -> None:
    """Tell this process's hub to read now (a chat action just committed here); safe from any thread."""
    current = _hub
    if current is not None and current.subscriptions:
        with contextlib.suppress(RuntimeError):  # the loop has closed
            current.loop.call_soon_threadsafe(current.poked.set)


def shutdown() -> None:
    """End every open chat stream now (server shutdown); new ones end at once."""
    if _hub is not None:
        _hub.close()


def install_shutdown_hook() -> None:
    """Chain shutdown() onto the server's SIGTERM and SIGINT handlers, as inbox.push does for the staff streams."""
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
        except ValueError:  # not the main thread: streams end by their lifetime alone
            return


def format_event(name: str, data: dict[str, Any], *, with_id: bool) -> str:
    head = f"id: {data['seq']}\n" if with_id and name == "chat" else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def stream(subscription: Subscription, seconds: float) -> AsyncIterator[str]:
    """The event stream: `retry`, then chat, position and queue events and keep-alive comments until it ends."""
    current = hub()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, seconds)
    current.subscribe(subscription)
    try:
        yield f"retry: {RETRY_MS}\nevent: ready\ndata: {{}}\n\n"  # the page knows events come through
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
            pending, subscription.pending = subscription.pending, []
            if pending:
                yield "".join(format_event(name, data, with_id=subscription.resident) for name, data in pending)
    finally:
        current.unsubscribe(subscription)
