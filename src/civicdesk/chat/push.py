"""The live chat transport, shared by the resident's widget and the agents' desk: the "chat" feed of the shared
stream hub (web/push.py), with polling as the fallback.

Writers: every chat action writes, in its transaction, a ChatEvent with the session's next seq (1, 2, 3 ...) and
raises ChatSession.last_seq, under the session's row lock, so seq order is commit order within a session; on commit
it pokes the feed (chat.actions), which wakes this process's hub and, through web/pushwake.py, the hubs of the
other processes on this host, so a message reaches the other side in milliseconds, whichever process holds it.

Readers, push (ASGI): while any chat stream is open, the hub reads when poked, and at the latest every
CHAT_POLL_SECONDS (the guarantee when a wake cannot arrive, e.g. from another host), in its own thread and
connection:
  1. last_seq of the watched sessions (a primary-key lookup), then the events past the lowest cursor of the
     sessions that moved (one query with their messages), whatever the number of streams;
  2. about once a second, and at once when a stream opens or a chat starts, is taken or ends, the waiting
     sessions of the watched agencies (queue positions for residents, "the queue changed" for agents) and which
     sessions each watching agent now holds.
Each stream is a Subscription (its sessions with a cursor each, its agencies) and only waits on its asyncio.Event.
Events go out as `event: chat` with a JSON body (chat/wire.py); a resident's stream carries `id: <seq>`, so a
reconnecting EventSource resumes after Last-Event-ID. The agents' desk (chat-desk) opens Subscription(agent_id=...,
agency_ids=...) streams on the same hub and gets `event: queue` when its agencies' queue changes.

Readers, fallback: where the stream is unavailable (WSGI answers 204; an old browser; a buffering proxy), pages
poll every second with the cursor they hold (queries.events_after), so nothing is missed either way.
"""

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q

from civicdesk.chat.models import ChatEvent, ChatSession, ChatStatus
from civicdesk.chat.wire import event_json
from civicdesk.web import push as hub_push

STREAM_SECONDS = 180.0  # then the browser reconnects (after RETRY_MS) with Last-Event-ID
RETRY_MS = 1000
QUEUE_SECONDS = 1.0  # between queue reads, but for writes that change it (QUEUE_TOPIC)
QUEUE_TOPIC = "queue"


@dataclass(eq=False)
class Subscription(hub_push.Subscription):
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

    def push(self, name: str, data: dict[str, Any]) -> None:
        self.pending.append((name, data))
        self.wake.set()

    def take(self) -> str:
        pending, self.pending = self.pending, []
        return "".join(format_event(name, data, with_id=self.resident) for name, data in pending)


@dataclass
class Reading:
    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # session id -> events (JSON), in order
    keys: dict[int, str] = field(default_factory=dict)
    queue: dict[int, list[int]] | None = None  # agency id -> waiting session ids in order (None: not read)
    held: dict[int, set[int]] = field(default_factory=dict)  # agent id -> active session ids


@dataclass(frozen=True)
class Watched:
    """What one read needs: the lowest cursor per watched session, the agencies (None: all) and the agents."""

    cursors: dict[int, int]
    agencies: set[int] | None
    agents: set[int]
    with_queue: bool


def read(watched: Watched) -> Reading:
    """One read of the chat feed, in the hub's thread."""
    reading = Reading()
    cursors = watched.cursors
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
    if watched.with_queue:
        waiting = ChatSession.objects.filter(status=ChatStatus.WAITING)
        if watched.agencies is not None:
            waiting = waiting.filter(agency_id__in=watched.agencies)
        reading.queue = {}
        for pk, agency_id in waiting.order_by("created_at", "pk").values_list("pk", "agency_id"):
            reading.queue.setdefault(agency_id, []).append(pk)
        if watched.agents:
            reading.held = {agent: set() for agent in watched.agents}
            for pk, agent_id, key in ChatSession.objects.filter(status=ChatStatus.ACTIVE,
                                                                agent_id__in=watched.agents) \
                    .values_list("pk", "agent_id", "key"):
                reading.held[agent_id].add(pk)
                reading.keys.setdefault(pk, str(key))
    return reading


class ChatFeed(hub_push.Feed[Subscription, Reading]):
    """The chat streams' query (events past their cursors, the queue) and filter (a stream's own sessions)."""

    name = "chat"
    read_on_subscribe = True  # the stream may have missed events since its cursor
    wakeable = True

    def __init__(self) -> None:
        self.queue_read_at = float("-inf")
        self.watching: frozenset[int] = frozenset()  # the sessions of the open streams, as of the last read

    def interval(self) -> float:
        return float(settings.CHAT_POLL_SECONDS)

    def subscribed(self, subscription: Subscription) -> None:
        self.queue_read_at = float("-inf")  # its place in the queue, or the chats the agent holds, at once

    def poked(self, topic: str) -> bool:
        if topic == QUEUE_TOPIC:  # a chat started, was taken, handed over or ended: the queue now
            self.queue_read_at = float("-inf")
            return True
        return not topic.isdigit() or int(topic) in self.watching  # a message: only where a stream has its chat

    def stopped(self) -> None:
        self.queue_read_at = float("-inf")

    def empty(self) -> Reading:
        return Reading()

    def snapshot(self, subscriptions: list[Subscription]) -> Watched:
        cursors: dict[int, int] = {}
        agencies: set[int] | None = set()
        agents: set[int] = set()
        for subscription in subscriptions:
            for pk, seq in subscription.cursors.items():
                cursors[pk] = min(seq, cursors.get(pk, seq))
            if subscription.agency_ids is None:
                agencies = None
            elif agencies is not None:
                agencies |= subscription.agency_ids
            if subscription.agent_id is not None:
                agents.add(subscription.agent_id)
        self.watching = frozenset(cursors)
        now = time.monotonic()
        with_queue = now - self.queue_read_at >= QUEUE_SECONDS and (agencies is None or bool(agencies)
                                                                     or bool(agents))
        if with_queue:
            self.queue_read_at = now
        return Watched(cursors, agencies, agents, with_queue)

    def read(self, watched: Watched) -> Reading:
        return read(watched)

    def fan_out(self, reading: Reading, subscriptions: list[Subscription]) -> bool:
        again = False
        for subscription in subscriptions:
            if subscription.agent_id is not None and subscription.agent_id in reading.held:
                for pk in reading.held[subscription.agent_id] - set(subscription.cursors):
                    subscription.cursors[pk] = 0  # a chat this agent took elsewhere: its whole log
                    subscription.keys[pk] = reading.keys.get(pk, "")
                    again = True
            for pk, events in reading.events.items():
                if pk not in subscription.cursors:
                    continue
                for event in events:
                    if event["seq"] > subscription.cursors[pk]:
                        subscription.push("chat", event)
                        subscription.cursors[pk] = event["seq"]
            if reading.queue is not None:
                fan_out_queue(subscription, reading.queue)
        return again


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


def hub() -> hub_push.Hub[Subscription, Reading]:
    """The chat feed's hub of the running event loop."""
    return hub_push.hub(ChatFeed.name, ChatFeed)


def poke(session_id: int | None = None, *, queue: bool = False) -> None:
    """A chat write committed (`queue`: one that changes the queue or who holds a chat; else an event of
    `session_id`): the hubs of this process and of the others on this host that hold a stream of it read now.
    Any thread."""
    hub_push.poke(ChatFeed.name, QUEUE_TOPIC if queue or session_id is None else str(session_id))


def shutdown() -> None:
    """End every open stream now (server shutdown); new ones end at once."""
    hub_push.shutdown()


def format_event(name: str, data: dict[str, Any], *, with_id: bool) -> str:
    head = f"id: {data['seq']}\n" if with_id and name == "chat" else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def stream(subscription: Subscription, seconds: float) -> AsyncIterator[str]:
    """The event stream: `retry`, then chat, position and queue events and keep-alive comments until it ends."""
    return hub_push.stream(hub(), subscription, seconds, retry_ms=RETRY_MS,
                           greeting="event: ready\ndata: {}\n\n")  # the page knows events come through
