"""Chat actions: a chat is a conversation on a case, each post takes effect once, and the session's states."""

import pytest

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.chat import actions
from civicdesk.chat.models import ChatEvent, ChatStatus, EventKind, hash_token
from civicdesk.chat.tests.conftest import new_id
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.replies import reply_target

pytestmark = pytest.mark.django_db


def test_a_first_message_makes_a_case_on_the_chat_channel_and_a_waiting_session(world):
    session, token = actions.start_session(agency=world.works, text="Pothole on Elm", client_id=new_id(),
                                           email="Rosa@Example.com", ip_hash="h")
    case = session.case
    assert case.channel == Channel.CHAT and case.agency == world.works and case.description == "Pothole on Elm"
    assert session.status == ChatStatus.WAITING and session.token_hash == hash_token(token)
    assert session.email == "rosa@example.com" and case.contact.identities.get().value == "rosa@example.com"
    message = Message.objects.get(case=case)
    assert message.direction == Direction.INBOUND and message.channel == Channel.CHAT
    conversation = Conversation.objects.get(channel=Channel.CHAT)
    assert conversation.case == case and conversation.thread_key == session.thread_key
    assert list(ChatEvent.objects.values_list("seq", "kind")) == [(1, EventKind.MESSAGE)]


def test_a_retried_post_takes_effect_once(chat):
    client_id = new_id()
    first = actions.post_resident_message(chat, text="Hello?", client_id=client_id)
    again = actions.post_resident_message(chat, text="Hello?", client_id=client_id)
    assert first.created and not again.created and again.event.pk == first.event.pk
    assert Message.objects.filter(case=chat.case).count() == 2


def test_accepting_assigns_the_case_and_a_second_agent_is_refused(world, chat):
    actions.accept_session(chat, world.works_agent)
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.case.assignee == world.works_agent
    with pytest.raises(actions.SessionClosed):
        actions.accept_session(chat, world.works_agent2)
    assert ChatEvent.objects.get(session=chat, kind=EventKind.ACCEPTED).data == {"agent": "wanda"}


def test_the_agents_message_is_a_reply_on_the_timeline_and_answers_go_in_the_chat_while_it_lasts(world, chat):
    actions.accept_session(chat, world.works_agent)
    posted = actions.post_agent_message(chat, world.works_agent, text="Yes, 9 to 5.", client_id=new_id())
    message = posted.event.message
    assert message.direction == Direction.OUTBOUND and message.author == world.works_agent
    chat.case.refresh_from_db()
    assert chat.case.first_response_at is not None
    assert reply_target(chat.case).channel == Channel.CHAT
    actions.end_session(chat, by_agent=world.works_agent)
    target = reply_target(chat.case)
    assert (target.channel, target.to) == (Channel.EMAIL, "rosa@example.com")


def test_a_blocked_session_cannot_post_and_the_case_says_why(world, chat):
    actions.accept_session(chat, world.works_agent)
    actions.block_session(chat, world.works_agent, reason="Abusive language")
    with pytest.raises(actions.SessionBlocked):
        actions.post_resident_message(chat, text="Hey", client_id=new_id())
    chat.refresh_from_db()
    assert chat.blocked and chat.status == ChatStatus.ENDED
    assert chat.case.tags.filter(name="chat-blocked").exists()


def test_a_message_over_the_cap_is_refused_with_the_cap_in_the_sentence(settings, chat):
    settings.CHAT_MAX_MESSAGE_CHARS = 10
    with pytest.raises(actions.MessageTooLong, match="at most 10 characters"):
        actions.post_resident_message(chat, text="x" * 11, client_id=new_id())
