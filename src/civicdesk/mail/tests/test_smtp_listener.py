"""The inbound SMTP listener spoken to with a real SMTP client: mail to an agency mailbox becomes a case."""

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.mail.models import Mailbox
from civicdesk.mail.smtp_listener import Listener, message_size_limit, start_listener
from civicdesk.mail.tests.conftest import Sink, fixture_bytes, free_port
from civicdesk.testing.factories import create_agency

ADDRESS = "publicworks@riverbend.example"


@pytest.fixture
def agency_mailbox(transactional_db: Any) -> Mailbox:
    agency = create_agency("public-works", "Public Works")
    return Mailbox.objects.create(address=ADDRESS, agency=agency, display_name="Riverbend Public Works")


def report(message_id: str = "<smtp-test-1@example.com>") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Pat Resident <pat.resident@example.com>"
    mail["To"] = ADDRESS
    mail["Subject"] = "Streetlight out on Elm Street"
    mail["Message-ID"] = message_id
    mail.set_content("The light at Elm and 4th has been out for a week.")
    return mail


def client(listener: Listener) -> smtplib.SMTP:
    return smtplib.SMTP(listener.host, listener.port, timeout=20)


def test_mail_to_a_mailbox_becomes_a_case_and_is_acknowledged(agency_mailbox: Mailbox, listener: Listener,
                                                              outbound_sink: Sink) -> None:
    with client(listener) as smtp:
        refused = smtp.send_message(report(), from_addr="pat.resident@example.com")
    assert refused == {}
    payload = InboundPayload.objects.get()
    assert payload.status == PayloadStatus.PROCESSED, payload.error  # processed by the on_commit task
    assert payload.meta["rcpt_tos"] == [ADDRESS] and payload.meta["mail_from"] == "pat.resident@example.com"
    assert payload.provider_message_id == "<smtp-test-1@example.com>"
    case = Case.objects.get()
    assert (case.agency.slug, case.channel, case.subject) == ("public-works", "email", "Streetlight out on Elm Street")
    inbound = Message.objects.get(direction=Direction.INBOUND)
    assert inbound.visible_text == "The light at Elm and 4th has been out for a week."
    assert inbound.recipient == ADDRESS and inbound.email_message_id == "<smtp-test-1@example.com>"
    [ack] = outbound_sink.handler.messages()
    assert ack["To"] == "pat.resident@example.com" and case.number in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied" and ack["In-Reply-To"] == "<smtp-test-1@example.com>"


def test_the_same_message_twice_makes_one_case(agency_mailbox: Mailbox, listener: Listener) -> None:
    with client(listener) as smtp:
        smtp.send_message(report())
        smtp.send_message(report())
    assert Case.objects.count() == 1 and InboundPayload.objects.count() == 1


def test_unknown_and_inactive_recipients_are_refused_with_550(agency_mailbox: Mailbox, listener: Listener) -> None:
    Mailbox.objects.create(address="closed@riverbend.example", agency=agency_mailbox.agency, is_active=False)
    for address in ("nobody@riverbend.example", "closed@riverbend.example"):
        mail = report()
        del mail["To"]
        mail["To"] = address
        with client(listener) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.send_message(mail)
        assert refused.value.recipients[address][0] == 550
    assert InboundPayload.objects.count() == 0


def test_oversized_mail_is_refused_with_552(agency_mailbox: Mailbox, settings: Any) -> None:
    settings.MAX_ATTACHMENTS_BYTES = 1000
    running = start_listener("127.0.0.1", free_port())
    try:
        big = b"From: a@example.com\r\nTo: " + ADDRESS.encode() + b"\r\nSubject: big\r\n\r\n" + (
            b"x" * 70 + b"\r\n") * (message_size_limit() // 72 + 10)
        with client(running) as smtp:
            smtp.ehlo()
            assert int(smtp.esmtp_features["size"]) == message_size_limit()
            with pytest.raises(smtplib.SMTPSenderRefused) as declared:  # smtplib declares SIZE= in MAIL FROM
                smtp.sendmail("a@example.com", [ADDRESS], big)
            assert declared.value.smtp_code == 552
            smtp.rset()
            smtp.mail("a@example.com")  # no SIZE declared: the limit bites at DATA
            smtp.rcpt(ADDRESS)
            code, _ = smtp.data(big)
            assert code == 552
    finally:
        running.stop()
    assert InboundPayload.objects.count() == 0


def test_accepted_but_malformed_mail_is_quarantined_not_lost(agency_mailbox: Mailbox, listener: Listener) -> None:
    with client(listener) as smtp:
        smtp.sendmail("x@example.com", [ADDRESS], fixture_bytes("malformed_no_from.eml"))
        smtp.sendmail("x@example.com", [ADDRESS], b"\x00\x01\x02 binary \xff\xfe garbage\r\n")
    payloads = InboundPayload.objects.order_by("pk")
    assert [p.status for p in payloads] == [PayloadStatus.QUARANTINED] * 2
    assert "no usable From address" in payloads[0].error
    assert "does not start with a header line" in payloads[1].error
    assert Case.objects.count() == 0


def test_bounces_with_a_null_sender_make_no_case(agency_mailbox: Mailbox, listener: Listener,
                                                 outbound_sink: Sink) -> None:
    with client(listener) as smtp:
        smtp.sendmail("<>", [ADDRESS], fixture_bytes("bounce_mailer_daemon.eml"))
        smtp.sendmail("", [ADDRESS], fixture_bytes("autoreply_out_of_office.eml"))
    assert [p.status for p in InboundPayload.objects.all()] == [PayloadStatus.IGNORED] * 2
    assert Case.objects.count() == 0 and outbound_sink.handler.received == []


def test_inline_processing_stores_before_it_parses(agency_mailbox: Mailbox) -> None:
    running = start_listener("127.0.0.1", free_port(), process_inline=True)
    try:
        with client(running) as smtp:
            smtp.send_message(report("<inline-1@example.com>"))
            smtp.sendmail("x@example.com", [ADDRESS], fixture_bytes("malformed_binary.eml"))
    finally:
        running.stop()
    assert Case.objects.get().subject == "Streetlight out on Elm Street"
    statuses = sorted(InboundPayload.objects.values_list("status", flat=True))
    assert statuses == [PayloadStatus.PROCESSED, PayloadStatus.QUARANTINED]


def test_a_bounce_of_our_reply_fails_it_on_the_case(agency_mailbox: Mailbox, listener: Listener,
                                                    outbound_sink: Sink) -> None:
    with client(listener) as smtp:
        smtp.send_message(report("<bounce-test-1@example.com>"))
    case = Case.objects.get()
    ack = Message.objects.get(direction=Direction.OUTBOUND)
    assert ack.delivery_status == "sent" and ack.email_message_id
    bounce = fixture_bytes("bounce_mailer_daemon.eml").replace(
        b"<177302.1.civicdesk@civicdesk.riverbend.example>", ack.email_message_id.encode())
    with client(listener) as smtp:
        smtp.sendmail("<>", [ADDRESS], bounce)
        smtp.sendmail("<>", [ADDRESS], bounce.replace(b"Message-Id: <2026", b"Message-Id: <again-2026"))  # resent
    ack.refresh_from_db()
    assert ack.delivery_status == "failed" and "550 5.1.1 User unknown" in ack.last_error
    assert "nobody@example.com" in ack.last_error
    failures = case.audit.filter(action="delivery_failed")
    assert failures.count() == 1 and failures.get().after["message"] == ack.pk  # once, though reported twice
    assert Case.objects.count() == 1 and len(outbound_sink.handler.messages()) == 1  # no case, no reply to it
    assert set(InboundPayload.objects.filter(case=case, message=ack).values_list("status", flat=True)) == {
        PayloadStatus.PROCESSED}  # each report took effect on our message (a failure already recorded stays one)
