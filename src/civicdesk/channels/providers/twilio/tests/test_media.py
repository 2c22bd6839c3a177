"""MMS media: fetched after commit by a job with the account's credentials from a local server standing in for
Twilio (basic auth, a redirect to storage), size- and type-checked, kept as attachments or shown on the case."""

import base64
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import Attachment, Direction, Message
from civicdesk.channels.media import MediaFetchFailed, MediaRejected
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.providers.twilio.media import fetch_media
from civicdesk.channels.providers.twilio.sender import TEST_ACCOUNT_SID, TwilioSender, media_url, new_sid, sms_params
from civicdesk.channels.providers.twilio.tests.conftest import AUTH_TOKEN, OUR_NUMBER, RESIDENT
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations.models import MediaStatus, PendingMedia
from civicdesk.conversations.pipeline import process
from civicdesk.conversations.tasks import fetch_message_media, recover_stalled
from civicdesk.core import jobs

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 500


class FakeTwilioMedia(BaseHTTPRequestHandler):
    """Twilio's media URLs: basic auth required, then a redirect to storage on another host; scripted by path."""

    files: dict[str, tuple[int, str, bytes]] = {}
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.seen.append((self.path, self.headers.get("Authorization", "")))
        if self.path.startswith("/storage/"):
            status, content_type, body = self.files[self.path.removeprefix("/storage")]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        expected = "Basic " + base64.b64encode(f"{TEST_ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        if self.path.split("/")[-1] == "down":
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(307)  # to "another host" (localhost, not 127.0.0.1), as Twilio redirects to its storage
        self.send_header("Location", f"http://localhost:{self.server.server_port}/storage{self.path}")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def media_server() -> Iterator[str]:
    FakeTwilioMedia.files, FakeTwilioMedia.seen = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilioMedia)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def serve(base: str, sid: str, index: int, status: int, content_type: str, body: bytes) -> str:
    url = media_url(sid, index, base=base)
    FakeTwilioMedia.files[url.removeprefix(base)] = (status, content_type, body)
    return url


def receive_mms(client: Client, account: ChannelAccount, sender: TwilioSender, media: list[tuple[str, str]],
                sid: str, captured: Any) -> Message:
    params = sms_params(from_=RESIDENT, to=OUR_NUMBER, body="Photos of the flooded underpass", sid=sid, media=media)
    with captured(execute=True):
        assert sender.sign(endpoint_url(account, Endpoint.SMS), params).send_django(client).status_code == 200
        process(InboundPayload.objects.get(provider_message_id=sid))
    return Message.objects.get(provider_message_id=sid, direction=Direction.INBOUND)


def test_two_pictures_are_fetched_with_basic_auth_through_the_redirect_and_kept(
        client: Client, account: ChannelAccount, sender: TwilioSender, media_server: str,
        django_capture_on_commit_callbacks: Any, enqueued: list[Any]) -> None:
    sid = new_sid("MM")
    media = [(serve(media_server, sid, 0, 200, "image/jpeg", JPEG), "image/jpeg"),
             (serve(media_server, sid, 1, 200, "image/png", PNG), "image/png")]
    message = receive_mms(client, account, sender, media, sid, django_capture_on_commit_callbacks)
    assert not message.attachments.exists()  # nothing fetched while parsing or applying
    assert (jobs.FETCH_MESSAGE_MEDIA, message.pk) in enqueued
    fetch_message_media.call(message.pk)
    kept = list(message.attachments.order_by("pk").values_list("filename", "content_type", "size"))
    assert kept == [(f"{sid}-1.jpg", "image/jpeg", len(JPEG)), (f"{sid}-2.png", "image/png", len(PNG))]
    assert Attachment.objects.get(filename=f"{sid}-1.jpg").file.read() == JPEG
    storage = [auth for path, auth in FakeTwilioMedia.seen if path.startswith("/storage/")]
    assert len(storage) == 2 and not any(storage)  # the credentials never went to the storage host
    fetch_message_media.call(message.pk)  # a second run keeps nothing twice
    assert message.attachments.count() == 2


def test_a_file_too_big_or_of_a_forbidden_type_is_not_kept_and_said_on_the_case(
        client: Client, account: ChannelAccount, sender: TwilioSender, media_server: str, settings: Any,
        django_capture_on_commit_callbacks: Any, enqueued: list[Any]) -> None:
    settings.INBOUND_MEDIA_MAX_BYTES = 1000
    sid = new_sid("MM")
    media = [(serve(media_server, sid, 0, 200, "image/jpeg", JPEG), "image/jpeg"),
             (serve(media_server, sid, 1, 200, "application/x-msdownload", b"MZ" * 10), "application/x-msdownload"),
             (serve(media_server, sid, 2, 200, "image/png", PNG), "image/png")]
    message = receive_mms(client, account, sender, media, sid, django_capture_on_commit_callbacks)
    fetch_message_media.call(message.pk)
    assert list(message.attachments.values_list("content_type", flat=True)) == ["image/png"]
    notes = list(Message.objects.filter(case=message.case, direction=Direction.NOTE).values_list("body_text",
                                                                                                 flat=True))
    assert len(notes) == 2
    assert any(f"{sid}-1.jpg" in note and "larger than" in note for note in notes)
    assert any("application/x-msdownload" in note and "not accepted" in note for note in notes)


def test_a_fetch_that_keeps_failing_is_retried_then_shown_on_the_case(
        client: Client, account: ChannelAccount, sender: TwilioSender, media_server: str, settings: Any,
        django_capture_on_commit_callbacks: Any, enqueued: list[Any]) -> None:
    settings.INBOUND_MEDIA_MAX_ATTEMPTS = 3
    sid = new_sid("MM")
    url = media_url(sid, 0, base=media_server).rsplit("/", 1)[0] + "/down"
    message = receive_mms(client, account, sender, [(url, "image/jpeg")], sid, django_capture_on_commit_callbacks)
    for attempt in (1, 2):
        fetch_message_media.call(message.pk)
        item = PendingMedia.objects.get(message=message)
        assert (item.status, item.attempts) == (MediaStatus.PENDING, attempt) and "503" in item.last_error
        assert not Message.objects.filter(case=message.case, direction=Direction.NOTE).exists()
    fetch_message_media.call(message.pk)
    item = PendingMedia.objects.get(message=message)
    assert (item.status, item.attempts) == (MediaStatus.FAILED, 3)
    note = Message.objects.get(case=message.case, direction=Direction.NOTE)
    assert f"{sid}-1.jpg" in note.body_text and "503" in note.body_text


def test_fetch_media_refuses_without_credentials_and_says_why(media_server: str) -> None:
    sid = new_sid("MM")
    url = serve(media_server, sid, 0, 200, "image/jpeg", JPEG)
    config = AccountConfig(id=1, channel="sms", provider="twilio", address=OUR_NUMBER, credentials={})
    with pytest.raises(MediaRejected, match="HTTP 401"):
        fetch_media(url, config)
    with pytest.raises(MediaFetchFailed):
        fetch_media("http://127.0.0.1:9/nothing-listens-here", config)


def test_media_left_pending_by_a_dead_worker_is_fetched_again_by_the_recovery_job(
        client: Client, account: ChannelAccount, sender: TwilioSender, media_server: str,
        django_capture_on_commit_callbacks: Any, enqueued: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    sid = new_sid("MM")
    media = [(serve(media_server, sid, 0, 200, "image/jpeg", JPEG), "image/jpeg")]
    message = receive_mms(client, account, sender, media, sid, django_capture_on_commit_callbacks)
    enqueued.clear()  # the job enqueued on commit died with its worker
    monkeypatch.setattr("civicdesk.conversations.tasks.enqueue", jobs.enqueue)  # the recovery job's, captured too
    recover_stalled.call()
    assert (jobs.FETCH_MESSAGE_MEDIA, message.pk) not in enqueued  # too recent: its job may still be running
    PendingMedia.objects.filter(message=message).update(created_at=timezone.now() - timedelta(minutes=10))
    recover_stalled.call()
    assert (jobs.FETCH_MESSAGE_MEDIA, message.pk) in enqueued
