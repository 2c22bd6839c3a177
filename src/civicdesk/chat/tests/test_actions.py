"""Chat actions: a chat is a conversation on a case, each post takes effect once, and the session's states."""

import pytest

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.chat import actions
from civicdesk.chat.models import ChatEvent, ChatSession, ChatStatus, EventKind, hash_token
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


def test_after_a_chat_by_phone_replies_go_by_sms_and_an_anonymous_one_to_the_status_page(world):
    texted, _ = actions.start_session(agency=world.works, text="Hi", client_id=new_id(), phone="(202) 456-1111",
                                      reply_channel="sms")
    anonymous, _ = actions.start_session(agency=world.works, text="Hi", client_id=new_id())
    for session in (texted, anonymous):
        actions.end_session(session)
    target = reply_target(texted.case)
    assert (target.channel, target.to) == (Channel.SMS, "+12024561111")
    assert reply_target(anonymous.case).channel == Channel.WEB


def test_a_reply_from_the_case_page_reaches_the_live_chat(world, chat, django_capture_on_commit_callbacks):
    from civicdesk.conversations import replies

    actions.accept_session(chat, world.works_agent)
    with django_capture_on_commit_callbacks(execute=True):
        message = replies.reply(chat.case, author=world.works_agent2, text="Adding a note from my colleague.")
    assert message.channel == Channel.CHAT
    event = ChatEvent.objects.get(session=chat, message=message)
    assert event.kind == EventKind.MESSAGE and event.seq == 3
    message.refresh_from_db()
    assert message.delivery_status == "sent"  # the delivery job only marks it


def test_the_answering_agent_is_not_notified_of_each_line_but_a_waiting_chat_is_published(world, chat):
    from civicdesk.notifications.models import Notification

    actions.accept_session(chat, world.works_agent)
    actions.post_resident_message(chat, text="One more thing", client_id=new_id())
    assert not Notification.objects.filter(recipient=world.works_agent, kind="reply").exists()


def test_a_chat_whose_resident_left_ends_by_the_idle_timeout(settings, world, chat):
    from datetime import timedelta

    from django.utils import timezone

    ChatSession.objects.filter(pk=chat.pk).update(resident_seen_at=timezone.now() - timedelta(hours=1))
    assert actions.expire_idle_sessions() == 1
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ENDED and chat.ended_by == "timeout"
    assert actions.expire_idle_sessions() == 0


def test_the_queue_lists_waiting_chats_of_the_agents_agencies_with_their_places(world, chat):
    from civicdesk.chat import queries

    second, _ = actions.start_session(agency=world.works, text="Me too", client_id=new_id())
    actions.start_session(agency=world.parks, text="Trees", client_id=new_id())
    waiting = queries.waiting_sessions(world.works_agent)
    assert [(w.session.pk, w.position) for w in waiting] == [(chat.pk, 1), (second.pk, 2)]
    assert len(queries.waiting_sessions(world.admin)) == 3
    assert queries.queue_position(second) == 2
    assert queries.available_agents(world.works.pk) == 0
    actions.set_availability(world.works_agent, accepting=True, max_chats=1)
    assert queries.available_agents(world.works.pk) == 1 and queries.agency_is_staffed(world.works.pk)
    actions.accept_session(chat, world.works_agent)
    assert queries.available_agents(world.works.pk) == 0  # at their limit, still staffed: the resident waits
    assert queries.agency_is_staffed(world.works.pk)
    assert queries.staffed_agency_ids() == {world.works.pk}
