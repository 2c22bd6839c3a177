"""Issue #7 item 2: a case number or one of our Message-IDs is not a credential; only people on the case thread in."""

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest

from civicdesk.cases.actions import add_follower, change_status
from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.contacts.actions import resolve_contact
from civicdesk.mail.models import Mailbox
from civicdesk.mail.smtp_listener import Listener
from civicdesk.mail.tests.conftest import Sink
from civicdesk.testing.factories import create_agency, create_staff

ADDRESS = "publicworks@riverbend.example"
RESIDENT = "pat.resident@example.com"
STRANGER = "mallory@attacker.example"
MENTION_TAG = "mentions-another-case"


@pytest.fixture
def agency_mailbox(transactional_db: Any) -> Mailbox:
    agency = create_agency("public-works", "Public Works")
    return Mailbox.objects.create(address=ADDRESS, agency=agency, display_name="Riverbend Public Works")


def mail(sender: str, subject: str, body: str, message_id: str, in_reply_to: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message


def send(listener: Listener, message: EmailMessage) -> None:
    with smtplib.SMTP(listener.host, listener.port, timeout=20) as smtp:
        assert smtp.send_message(message) == {}


def resolved_case(listener: Listener) -> Case:
    send(listener, mail(f"Pat Resident <{RESIDENT}>", "Streetlight out on Elm Street", "Out for a week.",
                        "<report-1@example.com>"))
    case = Case.objects.get()
    change_status(case, actor=None, status=CaseStatus.RESOLVED)
    case.refresh_from_db()
    return case


def assert_untouched(case: Case, before: dict[str, Any]) -> None:
    case.refresh_from_db()
    assert case.status == before["status"]
    assert case.updated_at == before["updated_at"]
    assert case.messages.count() == before["messages"]
    assert not case.messages.filter(direction=Direction.INBOUND, contact__identities__value=STRANGER).exists()


def facts(case: Case) -> dict[str, Any]:
    return {"status": case.status, "updated_at": case.updated_at, "messages": case.messages.count()}


def test_a_stranger_with_the_case_number_in_the_subject_gets_a_new_linked_case(
        agency_mailbox: Mailbox, listener: Listener, outbound_sink: Sink) -> None:
    case = resolved_case(listener)
    before = facts(case)
    heard_before = [m["To"] for m in outbound_sink.handler.messages()].count(RESIDENT)  # acknowledgement, survey
    send(listener, mail(STRANGER, f"Re: [{case.number}] fixed?", "Published text from a stranger.",
                        "<forged-1@attacker.example>"))
    assert_untouched(case, before)
    assert not case.audit.filter(action="reopened").exists()
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.contact.email == STRANGER
    assert list(new.related.all()) == [case]
    assert MENTION_TAG in new.tags.values_list("name", flat=True)
    note = new.audit.filter(action="linked", reason__contains=case.number).get(reason__contains="not on that case")
    assert note.after["related"] == case.number
    inbound = Message.objects.get(email_message_id="<forged-1@attacker.example>")
    assert inbound.case_id == new.pk
    sent_to = [m["To"] for m in outbound_sink.handler.messages()]
    assert sent_to.count(RESIDENT) == heard_before  # the resident hears nothing of it


def test_a_stranger_replying_to_our_message_id_does_not_thread_into_the_case(
        agency_mailbox: Mailbox, listener: Listener) -> None:
    case = resolved_case(listener)
    ack = case.messages.filter(direction=Direction.OUTBOUND).earliest("pk")  # the acknowledgement
    before = facts(case)
    send(listener, mail(STRANGER, "Re: your request", "I am not the resident.", "<forged-2@attacker.example>",
                        in_reply_to=ack.email_message_id))
    assert_untouched(case, before)
    new = Case.objects.exclude(pk=case.pk).get()
    assert list(new.related.all()) == [case] and MENTION_TAG in new.tags.values_list("name", flat=True)


def test_a_stranger_naming_a_closed_case_does_not_make_its_follow_up(agency_mailbox: Mailbox,
                                                                     listener: Listener) -> None:
    case = resolved_case(listener)
    change_status(case, actor=None, status=CaseStatus.CLOSED)
    case.refresh_from_db()
    before = facts(case)
    send(listener, mail(STRANGER, f"[{case.number}]", "Closed, but I write anyway.", "<forged-3@attacker.example>"))
    assert_untouched(case, before)
    new = Case.objects.exclude(pk=case.pk).get()
    assert MENTION_TAG in new.tags.values_list("name", flat=True)
    assert not new.audit.filter(reason__contains="which is closed").exists()


def test_the_resident_still_threads_by_number_and_reopens(agency_mailbox: Mailbox, listener: Listener) -> None:
    case = resolved_case(listener)
    send(listener, mail(f"Pat <{RESIDENT.upper()}>", f"Re: [{case.number}] still out", "Still dark.",
                        "<reply-1@example.com>"))
    case.refresh_from_db()
    assert Case.objects.count() == 1 and case.status == CaseStatus.OPEN
    assert case.messages.filter(email_message_id="<reply-1@example.com>").exists()
    assert not case.tags.filter(name=MENTION_TAG).exists()


def test_another_identity_of_the_residents_contact_threads(agency_mailbox: Mailbox, listener: Listener) -> None:
    case = resolved_case(listener)
    resolve_contact([("email", RESIDENT), ("email", "pat@work.example")])
    send(listener, mail("pat@work.example", f"Re: [{case.number}]", "From work.", "<reply-2@example.com>"))
    assert Case.objects.count() == 1
    assert case.messages.filter(email_message_id="<reply-2@example.com>").exists()


def test_a_follower_threads_into_the_case_they_follow(agency_mailbox: Mailbox, listener: Listener) -> None:
    case = resolved_case(listener)
    add_follower(case, resolve_contact([("email", "neighbour@example.com")]))
    send(listener, mail("neighbour@example.com", f"Re: [{case.number}]", "Same here.", "<reply-3@example.com>"))
    assert Case.objects.count() == 1
    assert case.messages.filter(email_message_id="<reply-3@example.com>").exists()


def test_staff_may_write_into_any_case_by_number(agency_mailbox: Mailbox, listener: Listener) -> None:
    case = resolved_case(listener)
    staff = create_staff("agent.works", agencies=[agency_mailbox.agency])
    send(listener, mail(staff.email, f"[{case.number}] crew note", "Crew was there.", "<staff-1@example.com>"))
    assert Case.objects.count() == 1
    assert case.messages.filter(email_message_id="<staff-1@example.com>").exists()


def test_staff_see_the_mention_on_the_new_case_page(agency_mailbox: Mailbox, listener: Listener, client: Any) -> None:
    case = resolved_case(listener)
    send(listener, mail(STRANGER, f"[{case.number}]", "About that case.", "<forged-4@attacker.example>"))
    new = Case.objects.exclude(pk=case.pk).get()
    client.force_login(create_staff("agent.view", agencies=[agency_mailbox.agency]))
    page = client.get(f"/staff/cases/{new.number}/").content.decode()
    assert MENTION_TAG in page and f"Mentions {case.number} but the sender is not on that case." in page
    assert f'href="/staff/cases/{case.number}/"' in page
