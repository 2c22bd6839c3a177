"""The ingest pipeline: dedupe, contact resolution, threading, reopening and acknowledgements."""

import pytest

from civicdesk.cases.models import CaseStatus, DeliveryStatus, Direction
from civicdesk.channels.events import Ignored, InboundMessage, SenderIdentity
from civicdesk.channels.models import PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import Prepared, apply, prepare
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db


def test_new_case_gets_a_number_owner_and_acknowledgement(django_capture_on_commit_callbacks):
    agency = create_agency("public-works")
    service = create_service(agency, "pothole")
    with django_capture_on_commit_callbacks(execute=True):
        case = create_case(service=service, email="Resident@Example.com")
    assert case.number.startswith("CD-") and case.number.endswith("000001")
    assert case.agency == agency
    assert case.contact.email == "resident@example.com"
    ack = case.messages.get(direction=Direction.OUTBOUND)
    assert ack.is_automatic and ack.channel == "email"
    assert ack.delivery_status in (DeliveryStatus.RETRYING, DeliveryStatus.SENT, DeliveryStatus.FAILED)


def test_same_provider_id_takes_effect_once():
    create_agency("311")
    payload, created = store_payload("web", b"{}", provider_message_id="abc")
    again, created_again = store_payload("web", b"{}", provider_message_id="abc")
    assert created and not created_again and again.pk == payload.pk
    message = InboundMessage(channel="web", provider_message_id="abc", sender=SenderIdentity("email", "a@b.example"))
    first = apply(payload, [prepare(message)])
    second = apply(payload, [prepare(message)])
    assert second.case == first.case and not second.created
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.DUPLICATE


def test_reply_by_case_number_threads_and_reopens_resolved_case():
    create_agency("311")
    case = create_case(email="x@example.com")
    case.status = CaseStatus.RESOLVED
    case.save()
    follow_up = create_case(channel="email", email="x@example.com", subject=f"Re: [{case.number}] still broken")
    assert follow_up.pk == case.pk
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.audit.filter(action="reopened").exists()


def test_auto_replies_are_ignored():
    create_agency("311")
    payload, _ = store_payload("email", b"x", provider_message_id="auto-1")
    result = apply(payload, [Prepared(Ignored(channel="email", provider_message_id="auto-1", reason="auto-reply"))])
    payload.refresh_from_db()
    assert result.case is None and payload.status == PayloadStatus.IGNORED


def test_a_residents_answer_ends_waiting_on_resident():
    create_agency("311")
    case = create_case(email="w@example.com")
    case.status = CaseStatus.WAITING
    case.save()
    create_case(channel="email", email="w@example.com", subject=f"Re: [{case.number}] the answer")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    entry = case.audit.get(action="status_changed")
    assert entry.before == {"status": "waiting"} and entry.after == {"status": "open"}
    assert entry.actor_label == "resident"


def test_a_message_about_a_closed_case_makes_a_linked_follow_up_at_the_same_agency():
    create_agency("311")
    works = create_agency("public-works")
    service = create_service(works, "pothole")
    closed = create_case(service=service, email="c@example.com")
    closed.status = CaseStatus.CLOSED
    closed.save()
    follow_up = create_case(channel="email", email="c@example.com", subject=f"Re: [{closed.number}] again",
                            agency_slug="311")
    assert follow_up.pk != closed.pk
    assert follow_up.agency == works and follow_up.service == service
    assert list(follow_up.related.all()) == [closed]
    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED
    assert closed.audit.filter(action="linked", after={"related": follow_up.number}).exists()


def test_a_reply_to_a_merged_case_lands_on_the_survivor():
    from civicdesk.cases.actions import merge_cases

    create_agency("311")
    duplicate = create_case(email="m@example.com")
    survivor = create_case(email="n@example.com")
    merge_cases(duplicate, survivor, actor=None)
    reply = create_case(channel="email", email="m@example.com", subject=f"Re: [{duplicate.number}] more")
    assert reply.pk == survivor.pk
    duplicate.refresh_from_db()
    with pytest.raises(ValueError, match="already merged"):
        merge_cases(duplicate, create_case(email="o@example.com"), actor=None)
