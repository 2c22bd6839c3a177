"""Issue 7 item 4: a reply goes to the address the resident last wrote from on that case, never to "the contact's
first email" (so a wrong contact merge cannot send one resident's case to another)."""

import importlib
from typing import Any

import pytest

from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.payloads import store_payload
from civicdesk.contacts.merges import merge_contacts, undo_contact_merge
from civicdesk.contacts.models import Identity
from civicdesk.conversations import replies
from civicdesk.conversations.pipeline import process
from civicdesk.mail.models import Mailbox
from civicdesk.mail.tests.conftest import Sink
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def parks_mailbox(mailbox: Mailbox) -> Mailbox:
    parks = create_agency("parks", "Parks and Recreation")
    return Mailbox.objects.create(address="parks@riverbend.example", agency=parks, display_name="Riverbend Parks")


def write(capture: Any, sender: str, to: str, subject: str, text: str = "Please help.") -> Message:
    raw = (f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: <{abs(hash((sender, subject)))}@example.com>\n"
           f"Date: Mon, 16 Mar 2026 08:00:00 -0400\n\n{text}\n").encode()
    with capture(execute=True):
        payload, _ = store_payload("email", raw, meta={"transport": "test"})
        result = process(payload)
    assert result.message is not None, result.payload.error
    return result.message


def reply_recipients(case: Case, sink: Sink, capture: Any) -> list[str]:
    with capture(execute=True):
        sent = replies.reply(case, author=create_staff(), text="A crew is on its way.")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT, sent.last_error
    return list(sink.handler.received[-1]["rcpt_tos"])


def test_after_a_wrong_contact_merge_a_parks_reply_still_goes_to_the_person_who_wrote_the_case(
        parks_mailbox: Mailbox, outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    works_case = write(capture, "Bob Lee <bob@example.com>", "publicworks@riverbend.example", "Pothole").case
    parks_case = write(capture, "Ann Lee <ann@example.com>", "parks@riverbend.example", "Fallen tree").case
    merge_contacts(parks_case.contact, works_case.contact, actor=None)  # Ann merged into Bob by mistake
    parks_case.refresh_from_db()
    assert parks_case.contact_id == works_case.contact_id

    assert reply_recipients(parks_case, outbound_sink, capture) == ["ann@example.com"]
    assert Message.objects.filter(case=parks_case, direction=Direction.OUTBOUND).last().recipient == "ann@example.com"
    assert reply_recipients(works_case, outbound_sink, capture) == ["bob@example.com"]


def test_a_reply_goes_to_the_address_the_resident_last_wrote_from_on_that_case(
        mailbox: Mailbox, outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    case = write(capture, "Ann Lee <ann@home.example>", "publicworks@riverbend.example", "Streetlight out").case
    other = write(capture, "Ann Lee <ann@work.example>", "publicworks@riverbend.example", "Graffiti").case
    merge_contacts(other.contact, case.contact, actor=None)  # the same person: one contact, two addresses
    other.refresh_from_db()
    assert reply_recipients(case, outbound_sink, capture) == ["ann@home.example"]
    assert reply_recipients(other, outbound_sink, capture) == ["ann@work.example"]

    write(capture, "Ann Lee <ann@work.example>", "publicworks@riverbend.example", f"Re: [{case.number}] still out")
    assert Message.objects.filter(case=case, direction=Direction.INBOUND).count() == 2
    assert reply_recipients(case, outbound_sink, capture) == ["ann@work.example"]


def test_undoing_the_merge_keeps_each_case_addressed_to_its_writer(
        parks_mailbox: Mailbox, outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    works_case = write(capture, "Bob Lee <bob@example.com>", "publicworks@riverbend.example", "Pothole").case
    parks_case = write(capture, "Ann Lee <ann@example.com>", "parks@riverbend.example", "Fallen tree").case
    merge = merge_contacts(parks_case.contact, works_case.contact, actor=None)
    undo_contact_merge(merge, actor=None)
    parks_case.refresh_from_db()
    assert reply_recipients(parks_case, outbound_sink, capture) == ["ann@example.com"]


def test_a_follow_up_moved_in_by_a_case_merge_does_not_redirect_the_survivors_replies(
        mailbox: Mailbox, outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    survivor = write(capture, "Dee <dee@example.com>", "publicworks@riverbend.example", "Hole on Main").case
    duplicate = write(capture, "Cy <cy@example.com>", "publicworks@riverbend.example", "Same hole").case
    case_actions.merge_cases(duplicate, survivor, actor=None)
    assert reply_recipients(survivor, outbound_sink, capture) == ["dee@example.com"]


def test_every_inbound_message_records_the_identity_it_came_from(
        mailbox: Mailbox, django_capture_on_commit_callbacks: Any) -> None:
    message = write(django_capture_on_commit_callbacks, "Ann <Ann@Example.com>", "publicworks@riverbend.example",
                    "Bench")
    assert message.sender_identity == Identity.objects.get(kind="email", value="ann@example.com")


def test_the_migration_backfills_the_sender_of_earlier_messages(
        mailbox: Mailbox, django_capture_on_commit_callbacks: Any) -> None:
    from django.apps import apps

    capture = django_capture_on_commit_callbacks
    first = write(capture, "Ann <ann@example.com>", "publicworks@riverbend.example", "Bench")
    other = write(capture, "Ann <ann@work.example>", "publicworks@riverbend.example", "Swing")
    merge_contacts(other.contact, first.contact, actor=None)  # one contact with two addresses
    Message.objects.update(sender_identity=None)  # as they were before the migration
    migration = importlib.import_module("civicdesk.cases.migrations.0006_message_sender_identity")
    migration.backfill_sender_identity(apps, None)
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.sender_identity.value == "ann@example.com"  # read back from the stored From header
    assert other.sender_identity.value == "ann@work.example"
    assert not Message.objects.filter(direction=Direction.OUTBOUND, sender_identity__isnull=False).exists()


def test_a_case_whose_messages_predate_the_sender_record_still_answers_its_writer_after_a_merge(
        parks_mailbox: Mailbox, outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    works_case = write(capture, "Bob Lee <bob@example.com>", "publicworks@riverbend.example", "Pothole").case
    parks_case = write(capture, "Ann Lee <ann@example.com>", "parks@riverbend.example", "Fallen tree").case
    Message.objects.update(sender_identity=None)  # messages from before the sender was recorded, not backfilled
    merge_contacts(parks_case.contact, works_case.contact, actor=None)
    parks_case.refresh_from_db()
    assert reply_recipients(parks_case, outbound_sink, capture) == ["ann@example.com"]  # the original's contact


def test_someone_else_writing_about_the_case_does_not_redirect_its_replies(
        mailbox: Mailbox, outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    case = write(capture, "Dee <dee@example.com>", "publicworks@riverbend.example", "Hole on Main").case
    write(capture, "Eve <eve@example.com>", "publicworks@riverbend.example", f"Re: [{case.number}] mine too")
    case.refresh_from_db()
    assert reply_recipients(case, outbound_sink, capture) == ["dee@example.com"]
