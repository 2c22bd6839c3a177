"""The ASGI handler of `civicdesk run`: sync views from its thread pool as under WSGI, async views as Django serves."""

import asyncio
import threading
from typing import Any

import pytest
from django.test import override_settings

from civicdesk.asgi import application
from civicdesk.web.serving import ThreadPoolASGIHandler, is_async_view

URLCONF = "civicdesk.web.tests.serving_urls"
pytestmark = pytest.mark.django_db(transaction=True)  # the pool threads use the database too (request signals)


def request(path: str, method: str = "GET", body: bytes = b"", app: Any = application) -> dict[str, Any]:
    """One request through the ASGI app: status, headers (lower-case names, repeated ones listed) and body."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", str(len(body)).encode())]}
    answer: dict[str, Any] = {"headers": {}, "body": b"", "messages": []}

    async def scenario() -> None:
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # never disconnects
            return {}

        async def send(message: dict[str, Any]) -> None:
            answer["messages"].append(message["type"])
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                for name, value in message["headers"]:
                    answer["headers"].setdefault(name.decode().lower(), []).append(value.decode())
            else:
                answer["body"] += message.get("body", b"")
        await asyncio.wait_for(app(scope, receive, send), 20)
    asyncio.run(scenario())
    return answer


@override_settings(ROOT_URLCONF=URLCONF)
def test_a_sync_view_runs_in_a_pool_thread_and_its_answer_keeps_body_cookies_and_security_headers():
    answer = request("/page/", "POST", b"word=pothole")
    assert answer["status"] == 200
    method, word, thread = answer["body"].decode().split()
    assert (method, word) == ("POST", "pothole")  # the body was read on the loop and parsed by the view
    assert thread.startswith("web_")  # civicdesk.web.serving's pool, not a thread made for the request
    assert any(cookie.startswith("seen=yes") for cookie in answer["headers"]["set-cookie"])
    assert "content-security-policy" in answer["headers"]  # the settings' middleware ran around the view
    assert answer["messages"] == ["http.response.start", "http.response.body"]


@override_settings(ROOT_URLCONF=URLCONF)
def test_a_streaming_answer_of_a_sync_view_is_sent_whole_from_its_pool_thread():
    answer = request("/chunks/")
    assert answer["status"] == 200
    lines = answer["body"].decode().splitlines()
    assert [line.split()[1] for line in lines] == ["0", "1", "2"]
    assert all(line.split()[-1].startswith("web_") for line in lines)
    assert answer["messages"][-1] == "http.response.body"


@override_settings(ROOT_URLCONF=URLCONF)
def test_an_async_view_is_served_by_djangos_asgi_handler_on_the_event_loop():
    answer = request("/nested/7/live/")
    assert answer["status"] == 200
    assert answer["body"].decode() == f"async {threading.main_thread().name}"  # asyncio.run's loop thread


@override_settings(ROOT_URLCONF=URLCONF)
def test_an_unknown_path_gets_the_sync_404():
    assert request("/nested/x/live/")["status"] == 404
    assert request("/nowhere/")["status"] == 404


@pytest.mark.parametrize(("path", "is_async"), [
    ("/staff/events/", True), ("/staff/cases/CD-2026-000001/events/", True), ("/staff/", False),
    ("/staff/cases/CD-2026-000001/", False), ("/open311/v2/requests.json", False), ("/staff/events", False),
    ("/nowhere/", False), ("/staff/events/\x00", False),
])
def test_only_paths_that_can_reach_the_event_streams_go_to_djangos_asgi_handler(path, is_async):
    assert is_async_view(path) is is_async


def test_an_open311_post_is_read_whole_by_the_sync_view():
    answer = request("/open311/v2/requests.json", "POST", b"api_key=not-a-key&service_code=pothole")
    assert answer["status"] == 403
    assert b"not a valid key" in answer["body"]  # the key in the body reached the view


def test_the_pool_has_the_configured_number_of_threads():
    handler = ThreadPoolASGIHandler(threads=3)
    assert handler.executor._max_workers == 3
    handler.executor.shutdown()
