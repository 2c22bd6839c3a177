"""Server-sent events for the staff pages: the staff gate, agency scoping, and streams that end when they should.

The streams are driven through the real ASGI application (Django's handler, every middleware, the shared poller
thread reading the test database), with a fake ASGI client that can disconnect.
"""

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from civicdesk.accounts.sessions import is_live_poll
from civicdesk.asgi import application
from civicdesk.cases import actions
from civicdesk.inbox import push
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db(transaction=True)


class AsgiStream:
    """One GET through the ASGI app, with the body read as it streams and a disconnect on demand."""

    def __init__(self, path: str, cookie: str) -> None:
        self.scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                      "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                      "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
                      "headers": [(b"host", b"testserver"), (b"accept", b"text/event-stream"),
                                  (b"cookie", cookie.encode())]}
        self.disconnect = asyncio.Event()
        self.status = 0
        self.headers: dict[bytes, bytes] = {}
        self.body = asyncio.Queue[bytes]()
        self.task: asyncio.Task[None] | None = None
        self.sent_request = False

    async def receive(self) -> dict[str, Any]:
        if not self.sent_request:
            self.sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {name.lower(): value for name, value in message["headers"]}
        elif message["type"] == "http.response.body" and message.get("body"):
            await self.body.put(message["body"])

    async def start(self) -> None:
        self.task = asyncio.create_task(application(self.scope, self.receive, self.send))
        for _ in range(200):
            if self.status or self.task.done():
                return
            await asyncio.sleep(0.01)

    async def text_within(self, seconds: float) -> str:
        """Everything the stream sends within `seconds`."""
        text = ""
        deadline = asyncio.get_running_loop().time() + seconds
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                text += (await asyncio.wait_for(self.body.get(), timeout=left)).decode()
            except TimeoutError:
                break
        return text


def cookie_of(client: Client) -> str:
    return f"sessionid={client.cookies['sessionid'].value}"


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_an_anonymous_request_for_the_stream_is_sent_to_sign_in(client):
    response = client.get("/staff/events/", HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert not response.streaming


def test_an_anonymous_asgi_request_gets_a_redirect_not_a_stream(world):
    async def scenario() -> None:
        stream = AsgiStream("/staff/events/", "")
        await stream.start()
        assert stream.status == 302
        await asyncio.wait_for(stream.task, 3)  # type: ignore[arg-type]  # the response ends: no stream
        assert "retry:" not in await stream.text_within(0.1)
    run(scenario())


def test_a_signed_in_user_without_a_staff_profile_is_refused(world, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("resident", password="x" * 12))
    assert client.get("/staff/events/", HTTP_ACCEPT="text/event-stream").status_code == 403


def test_a_case_stream_for_a_case_of_another_agency_is_404(world):
    parks_case = create_case(service=world.tree, subject="Tree down", email="t@example.com")
    client = client_for(world.works_agent)
    assert client.get(f"/staff/cases/{parks_case.number}/events/").status_code == 404


def test_under_wsgi_the_stream_answers_204_so_the_page_keeps_polling(world):
    client = client_for(world.works_agent)
    assert client.get("/staff/events/", HTTP_ACCEPT="text/event-stream").status_code == 204


def test_an_event_stream_request_is_not_session_activity(rf):
    assert is_live_poll(rf.get("/staff/events/", HTTP_ACCEPT="text/event-stream"))
    assert not is_live_poll(rf.get("/staff/"))


def test_a_visible_change_is_pushed_within_two_seconds_and_another_agencys_is_not(world):
    mine = create_case(service=world.pothole, subject="Pothole", email="p@example.com")
    theirs = create_case(service=world.tree, subject="Tree down", email="t@example.com")
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        stream = AsgiStream("/staff/events/", cookie)
        await stream.start()
        assert stream.status == 200 and stream.headers[b"content-type"].startswith(b"text/event-stream")
        assert "retry:" in await stream.text_within(1.5)  # and the poller has read its starting cursor
        await sync_to_async(actions.touch)(theirs)
        assert "event: changed" not in await stream.text_within(2.5)
        await sync_to_async(actions.touch)(mine)
        text = await stream.text_within(2.0)
        assert f"event: changed\ndata: {mine.number}\n\n" in text and theirs.number not in text
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    run(scenario())


def test_a_case_stream_hears_of_a_note_on_its_case(world):
    case = create_case(service=world.pothole, subject="Pothole", email="p@example.com")
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        stream = AsgiStream(f"/staff/cases/{case.number}/events/", cookie)
        await stream.start()
        assert stream.status == 200
        await stream.text_within(1.5)
        await sync_to_async(actions.add_note)(case, author=world.works_agent2, text="Crew on the way.")
        assert f"data: {case.number}" in await stream.text_within(2.5)
        stream.disconnect.set()
        await asyncio.wait_for(stream.task, 5)  # type: ignore[arg-type]
    run(scenario())


def test_the_stream_ends_on_client_disconnect_and_the_poller_stops(world):
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        streams = [AsgiStream("/staff/events/", cookie) for _ in range(3)]
        for stream in streams:
            await stream.start()
        await streams[0].text_within(1.5)
        assert len(push.hub().subscriptions) == 3
        for stream in streams:
            stream.disconnect.set()
        await asyncio.wait_for(asyncio.gather(*(s.task for s in streams)), 5)  # type: ignore[arg-type]
        assert not push.hub().subscriptions
        task = push.hub().task
        assert task is not None
        await asyncio.wait_for(task, 3)  # no stream left: the shared poller stops querying
    run(scenario())


def test_server_shutdown_ends_open_streams_at_once(world):
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        stream = AsgiStream("/staff/events/", cookie)
        await stream.start()
        await stream.text_within(0.5)
        push.shutdown()
        await asyncio.wait_for(stream.task, 3)  # type: ignore[arg-type]
    run(scenario())


def test_many_idle_streams_share_one_poller_query_per_tick(world):
    cookie = cookie_of(client_for(world.works_agent))

    async def scenario() -> None:
        streams = [AsgiStream("/staff/events/", cookie) for _ in range(20)]
        for stream in streams:
            await stream.start()
        hub = push.hub()
        ticks = hub.ticks
        await asyncio.sleep(3.2)
        assert 2 <= hub.ticks - ticks <= 4  # one read a second, whatever the number of streams
        for stream in streams:
            stream.disconnect.set()
        await asyncio.wait_for(asyncio.gather(*(s.task for s in streams)), 5)  # type: ignore[arg-type]
    run(scenario())
