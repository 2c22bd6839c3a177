"""Parsing messy real-world mail: HTML-only, inline images, charsets, encoded subjects, forwards, replies."""

from typing import Any

import pytest

from civicdesk.channels.events import DeliveryOutcome, DeliveryReport, Ignored, InboundEvent, InboundMessage
from civicdesk.channels.protocol import ParseError
from civicdesk.mail.adapter import EmailAdapter
from civicdesk.mail.quoting import visible_text
from civicdesk.mail.tests.conftest import fixture_bytes

pytestmark = pytest.mark.django_db
adapter = EmailAdapter()


def parse(name: str, meta: dict[str, Any] | None = None) -> InboundMessage:
    [message] = adapter.parse(fixture_bytes(name), meta or {})
    assert isinstance(message, InboundMessage)
    return message


def parse_raw(raw: bytes, meta: dict[str, Any]) -> InboundEvent:
    [event] = adapter.parse(raw, meta)
    return event


def test_html_only_message_gets_text_and_sanitised_html(mailbox: Any) -> None:
    message = parse("html_only.eml")
    assert message.sender is not None and message.sender.value == "dana.okafor@example.net"
    assert message.sender.display_name == "Dana Okafor"
    assert "There’s a pothole about 2 feet wide in front of 412 Maple Ave." in message.body_text
    assert "it’s getting worse" in message.visible_text
    assert "<style" not in message.body_text and "P {margin" not in message.body_text
    assert "<b>412 Maple Ave</b>" in message.body_html
    assert "<script" not in message.body_html and "alert" not in message.body_html
    assert "tracker.example.com" not in message.body_html and "style=" not in message.body_html
    assert message.recipient == "publicworks@riverbend.example"
    assert message.agency_slug == "public-works"
    assert message.email_message_id.startswith("<DM6PR11MB4379") and message.email_message_id.endswith(">")


def test_multipart_alternative_with_inline_image_keeps_the_image_and_its_content_id() -> None:
    message = parse("alternative_inline_image.eml")
    assert message.body_text.startswith("Someone sprayed graffiti all over the Elm Street underpass")
    assert 'src="cid:F3A1C0DE-7B2A-4C19-9E55-2D1F0A9B8C7D@home"' in message.body_html
    [image] = message.attachments
    assert (image.filename, image.content_type) == ("IMG_4821.png", "image/png")
    assert image.content_id == "F3A1C0DE-7B2A-4C19-9E55-2D1F0A9B8C7D@home"
    assert image.content.startswith(b"\x89PNG\r\n")


@pytest.mark.parametrize(("name", "subject", "sender_name", "snippet"), [
    ("charset_iso_8859_1.eml", "Lampadaire éteint près de l'école", "Renée Côté", "l'école Sainte-Thérèse est éteint"),
    ("charset_windows_1252.eml", "Sign knocked down on Birch St", "Tom Becker",
     "Hi — the “No Parking” sign on Birch St. was knocked down. It’s lying in the gutter.\nThe city charged me €20…"),
    ("charset_iso_2022_jp.eml", "街灯が消えています", "山田花子", "桜通りの街灯が消えています。"),
    ("charset_koi8_r.eml", "Не вывозят мусор", "Иван Петров", "Во дворе дома 17 по улице Садовой"),
    ("encoded_subject_utf8.eml", "Baum umgestürzt 🌳 im Stadtpark", "Jürgen Müller", "ein großer Baum auf den Weg"),
])
def test_charsets_and_encoded_word_headers_decode(name: str, subject: str, sender_name: str, snippet: str) -> None:
    message = parse(name)
    assert message.subject == subject
    assert message.contact_name == sender_name
    assert snippet in message.body_text
    assert "\ufffd" not in message.body_text + message.subject


def test_forwarded_mail_is_kept_whole_because_it_is_the_report() -> None:
    message = parse("forwarded_gmail.eml")
    assert "---------- Forwarded message ---------" in message.visible_text
    assert "Water is bubbling up through the asphalt at 88 Oak Ridge Rd" in message.visible_text
    assert "> Did you report the leak yet?" in message.visible_text


def test_outlook_reply_hides_the_original_message_block() -> None:
    message = parse("reply_outlook.eml")
    assert message.visible_text == "It is still out as of last night. The pole number is RB-2291.\n\nGail"
    assert "Sent: Tuesday, March 10, 2026 4:15 PM" in message.body_text
    assert message.subject == "RE: [CD-2026-000123] Streetlight out on Elm Street"


def test_gmail_reply_hides_the_wrapped_on_wrote_header_and_quotes() -> None:
    message = parse("reply_gmail.eml")
    assert message.visible_text == "They came back today but skipped the blue bin again."
    assert "> Thank you. We received your request" in message.body_text
    assert message.thread_refs == ["<177301.2291.civicdesk@civicdesk.riverbend.example>"]


def test_an_auto_reply_is_ignored_and_a_bounce_is_a_delivery_report() -> None:
    assert isinstance(parse_raw(fixture_bytes("autoreply_out_of_office.eml"), {}), Ignored)
    assert isinstance(parse_raw(fixture_bytes("bounce_mailer_daemon.eml"), {}), DeliveryReport)


@pytest.mark.parametrize(("headers", "meta"), [
    ("Precedence: bulk\n", {}),
    ("Precedence: auto_reply\n", {}),
    ("X-Autoreply: yes\n", {}),
    ("X-Autorespond: Out of office\n", {}),
    ("Return-Path: <>\n", {}),
    ("", {"mail_from": "<>"}),
    ("", {"mail_from": ""}),
])
def test_other_automatic_signals(headers: str, meta: dict[str, str]) -> None:
    raw = (f"From: someone@example.com\nTo: 311@riverbend.example\nSubject: hi\n{headers}\nbody\n").encode()
    assert isinstance(parse_raw(raw, meta), Ignored)


def test_auto_submitted_no_is_a_person() -> None:
    raw = b"From: someone@example.com\nAuto-Submitted: no\nSubject: hi\n\nA person wrote this.\n"
    assert isinstance(parse_raw(raw, {"mail_from": "someone@example.com"}), InboundMessage)


@pytest.mark.parametrize(("name", "error"), [
    ("malformed_binary.eml", "does not start with a header line"),
    ("malformed_no_from.eml", "no usable From address"),
])
def test_malformed_mail_raises_a_clear_parse_error(name: str, error: str) -> None:
    with pytest.raises(ParseError, match=error):
        parse(name)


def test_attachments_over_the_limit_are_refused_and_names_are_made_safe(settings: Any) -> None:
    [attachment] = parse("attachment_large.eml").attachments
    assert "/" not in attachment.filename and attachment.filename.endswith(".pdf")
    assert attachment.filename.startswith("formulário")
    settings.MAX_ATTACHMENTS_BYTES = 10_000
    with pytest.raises(ParseError, match="over the limit"):
        parse("attachment_large.eml")


def test_over_long_text_is_truncated_with_a_note(settings: Any) -> None:
    settings.MAX_TEXT_LENGTH = 500
    body = "\n".join(f"Line {n}: the sidewalk on Cedar Street is cracked." for n in range(400))
    raw = f"From: a@example.com\nSubject: long\nContent-Type: text/plain; charset=utf-8\n\n{body}\n".encode()
    message = parse_raw(raw, {})
    assert isinstance(message, InboundMessage)
    assert len(message.body_text) < 600 and "[Message truncated:" in message.body_text
    assert message.body_text.startswith("Line 0: the sidewalk")


def test_provider_message_id_reads_headers_only_and_falls_back_to_a_hash() -> None:
    assert adapter.provider_message_id(fixture_bytes("reply_gmail.eml"), {}) == (
        "<CAOq4Rz9Vb2nL7kT+Yh3mW1sQ0pX6cF8eD5gA2jU4iK9oN7rM1w@mail.gmail.com>")
    without = b"From: a@example.com\nSubject: x\n\nno id\n"
    assert adapter.provider_message_id(without, {}).startswith("sha256:")
    huge_body = b"Message-ID: <big@example.com>\nFrom: a@example.com\n\n" + b"x" * 5_000_000
    assert adapter.provider_message_id(huge_body, {}) == "<big@example.com>"


def test_recipient_comes_from_the_envelope_first(mailbox: Any) -> None:
    raw = b"From: a@example.com\nTo: someone-else@example.com\nSubject: x\n\nhello\n"
    message = parse_raw(raw, {"rcpt_tos": ["PublicWorks@Riverbend.example"]})
    assert isinstance(message, InboundMessage)
    assert (message.recipient, message.agency_slug) == ("publicworks@riverbend.example", "public-works")


def test_visible_text_keeps_inline_answers_and_cuts_outlook_original_message() -> None:
    interleaved = "> Which street?\nElm Street.\n> Since when?\nMonday.\n"
    assert visible_text(interleaved) == "Elm Street.\nMonday."
    outlook = "Still broken.\n\n-----Original Message-----\nFrom: 311\nSent: Monday\n\nThank you."
    assert visible_text(outlook) == "Still broken."
    forward = "See below.\n\n________________________________\nFrom: Neighbor\nSent: Monday\n\nTree down."
    assert visible_text(forward, subject="FW: tree") == forward


def test_a_failed_delivery_report_names_our_message_and_the_reason() -> None:
    raw = fixture_bytes("bounce_mailer_daemon.eml")
    report = parse_raw(raw, {"mail_from": ""})
    assert isinstance(report, DeliveryReport) and report.outcome == DeliveryOutcome.FAILED
    assert report.about == ["<177302.1.civicdesk@civicdesk.riverbend.example>"]
    assert report.error == "Bounced: nobody@example.com: 550 5.1.1 User unknown"
    assert report.provider_message_id == adapter.provider_message_id(raw, {})  # the report's own id, for dedupe
    delayed = parse_raw(raw.replace(b"Action: failed", b"Action: delayed"), {"mail_from": ""})
    assert isinstance(delayed, Ignored)  # a delay is not a failure
    assert isinstance(parse_raw(fixture_bytes("autoreply_out_of_office.eml"), {}), Ignored)
