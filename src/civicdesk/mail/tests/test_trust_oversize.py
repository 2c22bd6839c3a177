"""Issue #7 item 7: mail over the attachment limit is quarantined and its sender gets one polite reply an hour."""

import smtplib
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.conversations.pipeline import replay
from civicdesk.mail.models import Mailbox, SenderNotice
from civicdesk.mail.smtp_listener import Listener, message_size_limit, start_listener
from civicdesk.mail.tests.conftest import Sink, free_port
from civicdesk.testing.factories import create_agency

ADDRESS = "publicworks@riverbend.example"
LIMIT = 10_000
PHOTO = 25_000


@pytest.fixture
def agency_mailbox(transactional_db: Any) -> Mailbox:
    agency = create_agency("public-works", "Public Works")
    return Mailbox.objects.create(address=ADDRESS, agency=agency, display_name="Riverbend Public Works")


@pytest.fixture
def small_listener(agency_mailbox: Mailbox, settings: Any) -> Iterator[Listener]:
    settings.MAX_ATTACHMENTS_BYTES = LIMIT
    running = start_listener("127.0.0.1", free_port())
    try:
        yield running
    finally:
        running.stop()


def big_mail(sender: str, message_id: str, size: int = PHOTO, **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = sender, ADDRESS, "Photos of the pothole", message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("Here are the photos.")
    mail.add_attachment(b"\xff\xd8\xff\xe0" + b"\x01" * (size - 4), maintype="image", subtype="jpeg",
                        filename="pothole.jpg")
    return mail.as_bytes(policy=SMTP)


def send(listener: Listener, raw: bytes, mail_from: str = "pat@example.com") -> None:
    with smtplib.SMTP(listener.host, listener.port, timeout=60) as smtp:
        assert smtp.sendmail(mail_from, [ADDRESS], raw) == {}


def replies(sink: Sink, to: str) -> list[EmailMessage]:
    return [m for m in sink.handler.messages() if m["To"] == to]


def test_oversize_mail_is_quarantined_and_the_sender_gets_one_polite_reply(small_listener: Listener,
                                                                           outbound_sink: Sink) -> None:
    send(small_listener, big_mail("Pat <pat@example.com>", "<big-1@example.com>"))
    payload = InboundPayload.objects.get()
    assert payload.status == PayloadStatus.QUARANTINED and "over the limit" in payload.error
    assert bytes(payload.raw)  # stored, replayable from the admin
    assert Case.objects.count() == 0
    [reply] = replies(outbound_sink, "pat@example.com")
    body = reply.get_content()
    assert filesizeformat(LIMIT) in body and filesizeformat(PHOTO) in body and "pothole.jpg" in body
    assert reply["Auto-Submitted"] == "auto-replied" and reply["In-Reply-To"] == "<big-1@example.com>"
    assert ADDRESS in reply["From"] and "too large" in reply["Subject"]
    notice = SenderNotice.objects.get()
    assert notice.address == "pat@example.com" and notice.count == 1
    assert payload.meta["oversize_notice"] == "sent"


def test_never_more_than_one_reply_per_sender_per_hour(small_listener: Listener, outbound_sink: Sink) -> None:
    for number in range(3):
        send(small_listener, big_mail("pat@example.com", f"<big-{number}@example.com>"))
    send(small_listener, big_mail("other@example.com", "<big-other@example.com>"))
    assert len(replies(outbound_sink, "pat@example.com")) == 1
    assert len(replies(outbound_sink, "other@example.com")) == 1
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {PayloadStatus.QUARANTINED}
    assert sorted(p.meta["oversize_notice"] for p in InboundPayload.objects.all()) == [
        "rate-limited", "rate-limited", "sent", "sent"]
    SenderNotice.objects.update(last_sent_at=timezone.now() - timedelta(hours=1, seconds=1))
    send(small_listener, big_mail("pat@example.com", "<big-later@example.com>"))
    assert len(replies(outbound_sink, "pat@example.com")) == 2  # an hour later, one more


def test_a_replayed_oversize_payload_is_not_answered_again(small_listener: Listener, outbound_sink: Sink) -> None:
    send(small_listener, big_mail("pat@example.com", "<big-replay@example.com>"))
    SenderNotice.objects.update(last_sent_at=timezone.now() - timedelta(hours=2))
    replay(InboundPayload.objects.get())
    assert InboundPayload.objects.get().status == PayloadStatus.QUARANTINED
    assert len(replies(outbound_sink, "pat@example.com")) == 1


@pytest.mark.parametrize("sender, mail_from, headers", [
    ("pat@example.com", "pat@example.com", {"Auto_Submitted": "auto-replied"}),
    ("pat@example.com", "<>", {}),
    ("MAILER-DAEMON@example.com", "", {}),
    ("no-reply@shop.example", "no-reply@shop.example", {}),
    ("noreply.alerts@shop.example", "noreply.alerts@shop.example", {}),
    ("donotreply@shop.example", "donotreply@shop.example", {}),
])
def test_auto_replies_bounces_and_no_reply_senders_get_no_reply(small_listener: Listener, outbound_sink: Sink,
                                                                sender: str, mail_from: str,
                                                                headers: dict[str, str]) -> None:
    send(small_listener, big_mail(sender, "<big-auto@example.com>", **headers), mail_from=mail_from)
    assert outbound_sink.handler.received == []
    assert SenderNotice.objects.count() == 0
    assert InboundPayload.objects.get().status in (PayloadStatus.QUARANTINED, PayloadStatus.IGNORED)


def test_mail_up_to_twice_the_attachment_limit_is_accepted_by_smtp_not_refused(agency_mailbox: Mailbox,
                                                                               settings: Any,
                                                                               outbound_sink: Sink) -> None:
    settings.MAX_ATTACHMENTS_BYTES = 2 * 1024 * 1024
    running = start_listener("127.0.0.1", free_port())
    try:
        raw = big_mail("pat@example.com", "<big-smtp@example.com>", size=int(1.9 * settings.MAX_ATTACHMENTS_BYTES))
        assert len(raw) < message_size_limit()
        send(running, raw)
    finally:
        running.stop()
    assert InboundPayload.objects.get().status == PayloadStatus.QUARANTINED
    assert len(replies(outbound_sink, "pat@example.com")) == 1
