"""Replies by email to a real SMTP sink: threading headers, the reply coming back, and delivery failures."""

from typing import Any

import pytest
from aiosmtpd.controller import Controller

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations import replies
from civicdesk.conversations.pipeline import process
from civicdesk.conversations.tasks import deliver_message
from civicdesk.mail.models import Mailbox
from civicdesk.mail.tests.conftest import Sink, SinkHandler, free_port
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db
FIRST_REPORT = b"""From: Pat Resident <pat.resident@example.com>
To: publicworks@riverbend.example
Subject: Streetlight out on Elm Street
Message-ID: <first-report@example.com>
Date: Mon, 16 Mar 2026 08:00:00 -0400

The light at Elm and 4th has been out for a week.
"""


def ingest(raw: bytes, capture: Any) -> Message:
    with capture(execute=True):
        payload, _ = store_payload("email", raw, meta={"transport": "test"})
        result = process(payload)
    assert result.message is not None, result.payload.error
    return result.message


def test_reply_threads_and_the_residents_answer_comes_back(mailbox: Mailbox, outbound_sink: Sink,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    case = ingest(FIRST_REPORT, django_capture_on_commit_callbacks).case
    staff = create_staff("agent1")
    with django_capture_on_commit_callbacks(execute=True):
        reply = replies.reply(case, author=staff, text="A crew will replace the lamp on Thursday.")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT, reply.last_error
    ack, sent = outbound_sink.handler.messages()
    assert ack["Auto-Submitted"] == "auto-replied" and sent["Auto-Submitted"] is None
    assert sent["From"] == "Riverbend Public Works <publicworks@riverbend.example>"
    assert sent["To"] == "pat.resident@example.com"
    assert sent["Subject"] == f"[{case.number}] Streetlight out on Elm Street"
    assert sent["Message-ID"].strip() == reply.email_message_id  # long ids are folded onto a new line
    assert sent["In-Reply-To"] == "<first-report@example.com>"
    assert sent["References"].split() == ["<first-report@example.com>", ack["Message-ID"].strip()]
    assert outbound_sink.handler.received[1]["rcpt_tos"] == ["pat.resident@example.com"]

    answer = (
        f"From: Pat Resident <pat.resident@example.com>\nTo: {sent['From']}\nSubject: Re: {sent['Subject']}\n"
        f"Message-ID: <answer-1@example.com>\nIn-Reply-To: {sent['Message-ID']}\n"
        f"References: {sent['References']} {sent['Message-ID']}\n\n"
        "Thursday works, thank you!\n\nOn Tue, Mar 17, 2026 at 9:00 AM Riverbend Public Works <\n"
        "publicworks@riverbend.example> wrote:\n\n"
        + "".join(f"> {line}\n" for line in sent.get_content().splitlines())
    ).encode()
    back = ingest(answer, django_capture_on_commit_callbacks)
    assert back.case_id == case.pk and Case.objects.count() == 1
    assert back.visible_text == "Thursday works, thank you!"
    assert "> A crew will replace the lamp on Thursday." in back.body_text
    assert back.body_text.startswith("Thursday works, thank you!")


def test_a_case_number_in_the_subject_threads_without_references(mailbox: Mailbox,
                                                                 django_capture_on_commit_callbacks: Any) -> None:
    case = ingest(FIRST_REPORT, django_capture_on_commit_callbacks).case
    raw = (f"From: pat.resident@example.com\nSubject: RE: [{case.number}] more\nMessage-ID: <x-2@example.com>\n\n"
           "Also the next light is flickering.\n").encode()
    assert ingest(raw, django_capture_on_commit_callbacks).case_id == case.pk


def test_without_a_mailbox_mail_comes_from_the_default_address(db: Any, settings: Any, outbound_sink: Sink,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    from civicdesk.testing.factories import create_agency

    create_agency(settings.DEFAULT_AGENCY_SLUG, "Riverbend 311")
    ingest(FIRST_REPORT, django_capture_on_commit_callbacks)
    [ack] = outbound_sink.handler.messages()
    assert ack["From"] == settings.DEFAULT_FROM_EMAIL


@pytest.fixture
def refusing_sink(settings: Any, request: Any) -> Any:
    handler = SinkHandler(refuse_rcpt=request.param)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_PORT = port
    yield handler
    controller.stop()


@pytest.mark.parametrize("refusing_sink", ["550 5.1.1 <pat.resident@example.com>: Recipient unknown"],
                         indirect=True)
def test_a_permanent_refusal_fails_at_once_with_the_error_visible(mailbox: Mailbox, refusing_sink: Any,
                                                                  django_capture_on_commit_callbacks: Any) -> None:
    case = ingest(FIRST_REPORT, django_capture_on_commit_callbacks).case
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    assert (ack.delivery_status, ack.attempts) == (DeliveryStatus.FAILED, 1)
    assert "550 5.1.1" in ack.last_error and "Recipient unknown" in ack.last_error
    entry = AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED)
    assert "550 5.1.1" in entry.reason


@pytest.mark.parametrize("refusing_sink", ["451 4.3.0 Try again later"], indirect=True)
def test_a_temporary_refusal_retries_then_fails(mailbox: Mailbox, refusing_sink: Any, settings: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
    settings.OUTBOUND_MAX_ATTEMPTS = 3
    case = ingest(FIRST_REPORT, django_capture_on_commit_callbacks).case  # attempt 1 runs on commit
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    assert (ack.delivery_status, ack.attempts) == (DeliveryStatus.RETRYING, 1)
    assert "451" in ack.last_error and ack.next_attempt_at is not None
    deliver_message.call(ack.pk)
    ack.refresh_from_db()
    assert (ack.delivery_status, ack.attempts) == (DeliveryStatus.RETRYING, 2)
    assert not AuditEntry.objects.filter(case=case, action=AuditAction.DELIVERY_FAILED).exists()
    deliver_message.call(ack.pk)
    ack.refresh_from_db()
    assert (ack.delivery_status, ack.attempts) == (DeliveryStatus.FAILED, 3)
    assert "451 4.3.0 Try again later" in ack.last_error
    assert "451" in AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED).reason
    deliver_message.call(ack.pk)  # a failed message is never sent again
    ack.refresh_from_db()
    assert ack.attempts == 3 and refusing_sink.received == []
