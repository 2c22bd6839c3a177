"""The desk's chat stream through the real ASGI application: an agent hears their chat's messages and their
agencies' queue changing, never another agency's, and a chat they take in another tab joins the stream."""

import asyncio
import json
import uuid

import pytest
from asgiref.sync import sync_to_async

from civicdesk.chat import actions as chat_actions
from civicdesk.chatdesk.tests.helpers import resident_says, start_chat
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.inbox.tests.test_push import AsgiStream, cookie_of, run

pytestmark = pytest.mark.django_db(transaction=True)


def desk_stream(cookie: str, query: str = "") -> AsgiStream:
    stream = AsgiStream("/staff/chats/events/", cookie)
    stream.scope["query_string"] = query.encode()
    return stream


def chat_events(text: str) -> list[dict]:
    return [json.loads(block.split("data: ", 1)[1]) for block in text.split("\n\n")
            if block.startswith("event: chat\n")]


def test_an_agent_hears_their_chat_and_their_queue_within_a_second_and_not_another_agencys(world):
    session = start_chat(world.works, name="Rosa")
    chat_actions.accept_session(session, world.works_agent)
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        stream = desk_stream(cookie, f"c={session.key}:{session.last_seq}")
        await stream.start()
        assert stream.status == 200 and stream.headers[b"content-type"].startswith(b"text/event-stream")
        assert "retry:" in await stream.text_within(1.2)
        await sync_to_async(resident_says)(session, "Hello?")
        events = chat_events(await stream.text_within(1.0))
        assert [(e["from"], e["text"]) for e in events] == [("resident", "Hello?")]
        await sync_to_async(start_chat)(world.parks, "Parks only")
        assert "event: queue" not in await stream.text_within(1.5)
        await sync_to_async(start_chat)(world.works, "Another pothole")
        assert 'event: queue\ndata: {"waiting":1}' in await stream.text_within(1.5)
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    run(scenario())


def test_a_chat_taken_in_another_tab_joins_the_stream_from_its_first_event(world):
    session = start_chat(world.works, name="Rosa")
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        stream = desk_stream(cookie)
        await stream.start()
        await stream.text_within(1.2)
        await sync_to_async(chat_actions.accept_session)(session, world.works_agent)
        kinds = [e["kind"] for e in chat_events(await stream.text_within(2.5))]
        assert kinds == ["message", "accepted"]
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    run(scenario())


def test_cursors_of_chats_not_the_agents_own_are_ignored(world):
    session = start_chat(world.works, name="Rosa")
    chat_actions.accept_session(session, world.works_agent2)
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        stream = desk_stream(cookie, f"c={session.key}:0&c={uuid.uuid4()}:0&c=junk")
        await stream.start()
        await stream.text_within(1.0)
        await sync_to_async(resident_says)(session, "For Walt only")
        assert "For Walt only" not in await stream.text_within(1.5)
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    run(scenario())
