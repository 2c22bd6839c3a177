"""The live transport: resident and agent streams through the real ASGI app, resuming, queue places, the poller.

Streams are driven with the inbox tests' fake ASGI client; the hub's poller thread reads the test database.
"""

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import get_resolver

from civicdesk.chat import actions, push
from civicdesk.chat.models import ChatSession
from civicdesk.chat.tests.conftest import new_id
from civicdesk.chat.views import COOKIE
from civicdesk.inbox.tests.test_push import AsgiStream

pytestmark = pytest.mark.django_db(transaction=True)


def started(world, text: str = "Hello?") -> tuple[ChatSession, str]:
    client = Client()
    client.post("/chat/start/", {"chat-agency": world.works.pk, "chat-text": text, "chat-client_id": new_id()},
                HTTP_X_REQUESTED_WITH="civicdesk-chat")
    return ChatSession.objects.order_by("-pk").first(), f"{COOKIE}={client.cookies[COOKIE].value}"


def events_in(text: str, name: str = "chat") -> list[dict]:
    found = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if lines.get("event") == name:
            found.append(json.loads(lines["data"]))
    return found


def test_the_agents_message_reaches_the_residents_stream_within_a_second(world, on_duty):
    session, cookie = started(world)

    async def scenario() -> None:
        stream = AsgiStream("/chat/events/", cookie)
        await stream.start()
        assert stream.status == 200 and stream.headers[b"content-type"].startswith(b"text/event-stream")
        first = await stream.text_within(1.0)
        assert "event: ready" in first and [e["seq"] for e in events_in(first)] == [1]  # no cursor: from the start
        await sync_to_async(actions.accept_session)(session, on_duty)
        sent = time.monotonic()
        await sync_to_async(actions.post_agent_message)(session, on_duty, text="Hi, Wanda here.", client_id=new_id())
        text = ""
        while "Hi, Wanda here." not in text and time.monotonic() - sent < 2:
            text += await stream.text_within(0.05)
        assert time.monotonic() - sent < 1.0
        assert "id: 3\nevent: chat\n" in text
        assert [(e["kind"], e.get("text")) for e in events_in(text)][-1] == ("message", "Hi, Wanda here.")
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    asyncio.run(scenario())


def test_a_reconnecting_stream_resumes_after_last_event_id(world, on_duty):
    session, cookie = started(world)
    actions.accept_session(session, on_duty)
    actions.post_agent_message(session, on_duty, text="Missed while offline", client_id=new_id())

    async def scenario() -> None:
        stream = AsgiStream("/chat/events/", cookie)
        stream.scope["headers"].append((b"last-event-id", b"2"))
        await stream.start()
        got = events_in(await stream.text_within(1.0))
        assert [(e["seq"], e.get("text")) for e in got] == [(3, "Missed while offline")]
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    asyncio.run(scenario())


def test_a_waiting_resident_hears_their_place_in_the_queue_move_up(world, on_duty):
    ahead, _cookie = started(world, "First")
    _mine, cookie = started(world, "Second")

    async def scenario() -> None:
        stream = AsgiStream("/chat/events/", cookie)
        await stream.start()
        assert events_in(await stream.text_within(1.5), "position") == [{"position": 2}]
        await sync_to_async(actions.accept_session)(ahead, on_duty)
        assert events_in(await stream.text_within(1.5), "position") == [{"position": 1}]
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    asyncio.run(scenario())


def test_an_agents_subscription_hears_the_queue_and_the_chats_they_take(world, on_duty):
    get_resolver().url_patterns  # noqa: B018  (the URLconf import takes seconds on a busy machine: not in the timing)

    async def scenario() -> None:
        subscription = push.Subscription(agent_id=on_duty.pk, agency_ids=frozenset({world.works.pk}))
        stream = push.stream(subscription, 10)
        assert "event: ready" in await anext(stream)
        reader = asyncio.create_task(collect(stream, 2.5))
        await asyncio.sleep(0.3)
        session, _cookie = await sync_to_async(started)(world, "Need help")
        await asyncio.sleep(1.2)
        await sync_to_async(actions.accept_session)(session, on_duty)
        text = await reader
        assert events_in(text, "queue")[0] == {"waiting": 1}
        kinds = [(e["seq"], e["kind"]) for e in events_in(text) if e["session"] == str(session.key)]
        assert kinds == [(1, "message"), (2, "accepted")]  # the whole log of a chat they took
        await stream.aclose()
    asyncio.run(scenario())


async def collect(stream, seconds: float) -> str:
    text = ""
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            text += await asyncio.wait_for(anext(stream), timeout=left)
        except TimeoutError:
            break
    return text


def test_the_poller_stops_when_the_last_stream_closes(world, on_duty):
    _session, cookie = started(world)

    async def scenario() -> None:
        streams = [AsgiStream("/chat/events/", cookie) for _ in range(3)]
        for stream in streams:
            await stream.start()
        await streams[0].text_within(0.5)
        assert len(push.hub().subscriptions) == 3
        for stream in streams:
            stream.disconnect.set()
        await asyncio.wait_for(asyncio.gather(*(s.task for s in streams)), 5)  # type: ignore[arg-type]
        task = push.hub().task
        assert task is not None
        await asyncio.wait_for(task, 3)
    asyncio.run(scenario())
