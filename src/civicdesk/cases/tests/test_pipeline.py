"""The ingest pipeline: dedupe, contact resolution, threading, reopening and acknowledgements."""

import pytest

from civicdesk.cases.models import CaseStatus, DeliveryStatus, Direction
from civicdesk.channels.actions import apply, store_payload
from civicdesk.channels.models import PayloadStatus
from civicdesk.channels.protocol import NormalizedMessage, SenderIdentity
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
    message = NormalizedMessage(channel="web", provider_message_id="abc", sender=SenderIdentity("email", "a@b.example"))
    first = apply(payload, message)
    second = apply(payload, message)
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
    result = apply(payload, NormalizedMessage(channel="email", provider_message_id="auto-1", is_automatic=True))
    payload.refresh_from_db()
    assert result.case is None and payload.status == PayloadStatus.IGNORED
