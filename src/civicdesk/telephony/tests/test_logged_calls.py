"""Agents log phone calls on a case or as a new case: the contact is found or created from the number, the call is
on the timeline like a message, audited, and only within the agent's own agencies."""

import pytest
from django.core.exceptions import PermissionDenied

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.models import Contact, Identity
from civicdesk.inbox.sentences import DESCRIBERS
from civicdesk.telephony.actions import log_call, log_call_as_new_case
from civicdesk.telephony.models import Call, CallDirection, CallOutcome
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff


@pytest.fixture
def water(db):
    return create_agency("water", "Water Department")


@pytest.fixture
def agent(water):
    return create_staff("ana", role=StaffRole.AGENT, agencies=[water])


def test_a_call_logged_as_a_new_case_creates_the_caller_s_contact(agent, water):
    service = create_service(water, "leak")
    message = log_call_as_new_case(actor=agent, service=service, number="(215) 555-0134",
                                   direction=CallDirection.INBOUND, duration_seconds=95,
                                   outcome=CallOutcome.ANSWERED, notes="Leak at 12 Elm St.")
    case = message.case
    assert (case.agency, case.service, case.channel) == (water, service, "phone")
    assert case.contact.identities.get().value == "+12155550134"
    call = Call.objects.get()
    assert (call.message, call.number, call.duration_seconds, call.logged_by) == (message, "+12155550134", 95, agent)
    assert message.channel == "phone" and message.direction == "in" and message.body_text == "Leak at 12 Elm St."
    entry = case.audit.get(action=AuditAction.CALL_LOGGED)
    assert entry.actor == agent and entry.after["outcome"] == "answered"


def test_a_call_logged_on_a_case_finds_the_existing_contact_of_the_number(agent, water):
    known = resolve_contact([("phone", "+12155550134")], display_name="Rosa")
    case = create_case(agency_slug="water")
    message = log_call(case, actor=agent, direction=CallDirection.OUTBOUND, number="+1 215 555 0134",
                       duration_seconds=None, outcome=CallOutcome.VOICEMAIL_LEFT, notes="Left a message.")
    assert message.contact == known and message.direction == "out" and message.recipient == "+12155550134"
    assert Contact.objects.filter(identities__value="+12155550134").count() == 1
    assert Identity.objects.filter(value="+12155550134").count() == 1
    assert list(case.messages.values_list("channel", flat=True))[-1] == "phone"
    assert message.delivery_status == "received"  # a record of a call: nothing is sent


def test_an_agent_cannot_log_a_call_for_another_agency(agent):
    roads = create_agency("roads")
    with pytest.raises(PermissionDenied):
        log_call_as_new_case(actor=agent, service=create_service(roads), number="+12155550134",
                             direction=CallDirection.INBOUND, duration_seconds=10, outcome=CallOutcome.ANSWERED)
    case = create_case(agency_slug="roads")
    with pytest.raises(PermissionDenied):
        log_call(case, actor=agent, direction=CallDirection.INBOUND, number="+12155550134", duration_seconds=10,
                 outcome=CallOutcome.ANSWERED)
    assert Call.objects.count() == 0


def test_a_logged_call_has_a_sentence_on_the_timeline():
    assert AuditAction.CALL_LOGGED in DESCRIBERS
