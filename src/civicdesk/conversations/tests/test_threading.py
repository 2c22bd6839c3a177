"""Threading by conversation: SMS by the pair of numbers, the silence window, closed cases, and strangers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import CaseStatus, Direction
from civicdesk.channels.events import SenderIdentity
from civicdesk.conversations.entitlement import MENTION_TAG
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.tests.inbound import CONVERSATION, RESIDENT, receive, sms
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_agency():
    return create_agency("311")


def test_two_sms_messages_from_one_number_in_a_conversation_land_on_one_case():
    first = receive(sms("The streetlight on Elm St is out."))
    second = receive(sms("It is the one at the corner of 5th."))
    assert first.created and not second.created
    assert second.case == first.case
    assert first.case.messages.filter(direction=Direction.INBOUND).count() == 2
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.thread_key) == ("sms", CONVERSATION)
    assert conversation.case == first.case and conversation.contact == first.case.contact
    assert conversation.identity.value == RESIDENT and conversation.account is None
    assert conversation.last_inbound_at == second.message.created_at


def test_after_the_silence_window_a_message_opens_a_new_case_linked_to_the_old_one(settings):
    settings.CONVERSATION_SILENCE_DAYS = 7
    old = receive(sms("Pothole on Main St.")).case
    Conversation.objects.update(last_inbound_at=timezone.now() - timedelta(days=8))
    new = receive(sms("Now there is a fallen tree on Oak Ave.")).case
    assert new != old
    assert list(new.related.all()) == [old]
    assert new.audit.filter(action="linked", reason__contains="long silence").exists()
    assert Conversation.objects.get().case == new  # the conversation moves on to the new case
    old.refresh_from_db()
    assert old.status == CaseStatus.NEW  # the old case is left as it was


def test_within_the_silence_window_a_message_continues_the_case(settings):
    settings.CONVERSATION_SILENCE_DAYS = 7
    old = receive(sms("Pothole on Main St.")).case
    Conversation.objects.update(last_inbound_at=timezone.now() - timedelta(days=6))
    assert receive(sms("Still there.")).case == old


def test_the_silence_window_is_a_setting(settings):
    settings.CONVERSATION_SILENCE_DAYS = 1
    old = receive(sms("Pothole on Main St.")).case
    Conversation.objects.update(last_inbound_at=timezone.now() - timedelta(days=2))
    assert receive(sms("Still there.")).case != old


def test_a_message_on_the_conversation_of_a_closed_case_opens_a_new_linked_case():
    old = receive(sms("Pothole on Main St.")).case
    case_actions.change_status(old, actor=None, status=CaseStatus.CLOSED)
    new = receive(sms("It is back.")).case
    assert new != old and list(new.related.all()) == [old]
    assert new.audit.filter(action="linked", reason__contains="which is closed").exists()


def test_a_resolved_case_reopens_when_its_conversation_continues():
    case = receive(sms("Pothole on Main St.")).case
    case_actions.change_status(case, actor=None, status=CaseStatus.RESOLVED)
    assert receive(sms("It is not fixed.")).case == case
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_message_naming_a_case_number_from_a_stranger_does_not_join_it():
    theirs = create_case(email="owner@example.com", subject="Broken hydrant")
    result = receive(sms(f"What about {theirs.number}? Please tell me everything.", sender="+12155550177"))
    assert result.created and result.case != theirs
    assert result.case.tags.filter(name=MENTION_TAG).exists()
    assert not theirs.messages.filter(direction=Direction.INBOUND, channel="sms").exists()


def test_the_residents_own_text_naming_their_case_number_joins_it():
    case = create_case(channel="email", email="resident@example.com", subject="Broken hydrant",
                       extra_identities=[SenderIdentity("phone", RESIDENT)])
    result = receive(sms(f"More about {case.number}: it is leaking again."))
    assert result.case == case and not result.created


def test_two_numbers_texting_one_of_ours_are_two_conversations():
    one = receive(sms("Pothole on Main St.")).case
    other = receive(sms("Pothole on Main St.", sender="+12155550177")).case
    assert one != other
    assert Conversation.objects.count() == 2


def test_an_email_case_has_one_conversation_per_address_and_replies_by_reference_keep_it(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = create_case(channel="email", email="resident@example.com", email_message_id="<first@example.com>")
    ack = case.messages.get(direction=Direction.OUTBOUND)
    again = create_case(channel="email", email="resident@example.com", subject="Re: anything",
                        thread_refs=[ack.email_message_id])
    assert again == case
    conversation = Conversation.objects.get()
    assert conversation.thread_key == f"case-{case.pk}/identity-{conversation.identity_id}"
    assert conversation.case == case
