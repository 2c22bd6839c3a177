"""The desk's chats page: the queue of the agent's agencies with waiting times, accepting (one agent wins a race),
several chats at once, messages both ways, end and end-and-block audited on the case, and the live check."""

import json
import uuid

from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.chat import actions as chat_actions
from civicdesk.chat.models import AgentAvailability, ChatSession, ChatStatus
from civicdesk.chatdesk.tests.helpers import resident_says, start_chat
from civicdesk.conversations import replies
from civicdesk.inbox.tests.conftest import client_for

JSON = {"HTTP_X_REQUESTED_WITH": "civicdesk-chat"}


def test_the_queue_lists_the_agencys_waiting_chats_oldest_first_and_never_another_agencys(world, works_client):
    first = start_chat(world.works, "Pothole on Elm", name="Rosa")
    second = start_chat(world.works, "Streetlight out")
    parks = start_chat(world.parks, "Tree down in the park", name="Pablo")
    page = works_client.get("/staff/chats/").content.decode()
    assert page.index("Rosa") < page.index("Streetlight out")
    assert "Resident (no name given)" in page and "Tree down" not in page and "Pablo" not in page
    assert first.case.number in page and second.case.number in page and parks.case.number not in page
    assert "Waiting" in page and "next in line" in page
    admin_page = client_for(world.admin).get("/staff/chats/").content.decode()
    assert "Pablo" in admin_page and "Rosa" in admin_page


def test_accepting_assigns_the_chat_and_its_case_and_a_second_agent_is_told_who_won(world, works_client):
    session = start_chat(world.works, name="Rosa")
    answer = works_client.post(f"/staff/chats/{session.key}/accept/")
    assert answer.status_code == 302 and answer["Location"].endswith(f"#chat-{session.key}")
    session.refresh_from_db()
    session.case.refresh_from_db()
    assert session.status == ChatStatus.ACTIVE and session.agent == world.works_agent
    assert session.case.assignee == world.works_agent
    page = works_client.get("/staff/chats/").content.decode()
    assert f'id="chat-{session.key}"' in page and "Chat with Rosa" in page and "No chats are waiting." in page

    walt = client_for(world.works_agent2)
    lost = walt.post(f"/staff/chats/{session.key}/accept/", follow=True).content.decode()
    assert "wanda accepted this chat first; it is no longer in the queue." in lost
    lost_json = walt.post(f"/staff/chats/{session.key}/accept/", **JSON)
    assert lost_json.status_code == 409 and "accepted this chat first" in lost_json.json()["error"]
    session.refresh_from_db()
    assert session.agent == world.works_agent


def test_another_agencys_chat_cannot_be_accepted_read_or_ended(world):
    session = start_chat(world.works)
    pat = client_for(world.parks_agent)
    for action in ("accept", "end", "block", "messages"):
        assert pat.post(f"/staff/chats/{session.key}/{action}/", {"text": "hi"}).status_code == 404
    assert pat.post(f"/staff/chats/{uuid.uuid4()}/accept/").status_code == 404
    assert pat.post("/staff/chats/not-a-uuid/accept/").status_code == 404
    session.refresh_from_db()
    assert session.status == ChatStatus.WAITING


def test_an_agent_holds_several_chats_and_writes_in_each(world, works_client):
    one, two = start_chat(world.works, name="Rosa"), start_chat(world.works, name="Ravi")
    for session in (one, two):
        works_client.post(f"/staff/chats/{session.key}/accept/")
    sent = works_client.post(f"/staff/chats/{two.key}/messages/", {"text": "Hello Ravi", "id": "id-000000001"},
                             **JSON)
    assert sent.status_code == 201
    event = sent.json()
    assert event["from"] == "agent" and event["text"] == "Hello Ravi" and event["session"] == str(two.key)
    again = works_client.post(f"/staff/chats/{two.key}/messages/", {"text": "Hello Ravi", "id": "id-000000001"},
                              **JSON)
    assert again.status_code == 200 and again.json()["seq"] == event["seq"]  # a retry counts once
    page = works_client.get("/staff/chats/").content.decode()
    assert "Chat with Rosa" in page and "Chat with Ravi" in page and "Hello Ravi" in page
    assert two.case.messages.filter(body_text="Hello Ravi").count() == 1  # on the case's timeline too


def test_bad_messages_get_a_clear_4xx(world, works_client, settings):
    session = start_chat(world.works, "Hi")
    settings.CHAT_MAX_MESSAGE_CHARS = 20
    not_yet = works_client.post(f"/staff/chats/{session.key}/messages/", {"text": "Hi", "id": "id-000000002"}, **JSON)
    assert not_yet.status_code == 409  # not accepted yet
    works_client.post(f"/staff/chats/{session.key}/accept/")
    empty = works_client.post(f"/staff/chats/{session.key}/messages/", {"text": "  ", "id": "id-000000003"}, **JSON)
    assert empty.status_code == 400 and empty.json()["error"] == "Please write a message."
    long = works_client.post(f"/staff/chats/{session.key}/messages/", {"text": "x" * 21, "id": "id-000000004"},
                             **JSON)
    assert long.status_code == 413 and "at most 20 characters" in long.json()["error"]
    walt = client_for(world.works_agent2)
    theirs = walt.post(f"/staff/chats/{session.key}/messages/", {"text": "Hi", "id": "id-000000005"}, **JSON)
    assert theirs.status_code == 409
    plain = works_client.post(f"/staff/chats/{session.key}/messages/", {"text": "Hi there"})
    assert plain.status_code == 302  # without JavaScript: back to the chats page
    assert works_client.get(f"/staff/chats/{session.key}/messages/").status_code == 405


def test_ending_a_chat_is_on_the_case_timeline_and_the_case_goes_on_by_email(world, works_client):
    session = start_chat(world.works, name="Rosa", email="rosa@example.com")
    works_client.post(f"/staff/chats/{session.key}/accept/")
    resident_says(session, "Thanks!")
    assert replies.reply_target(session.case).channel == "chat"  # while it lasts, replies go into the chat
    answer = works_client.post(f"/staff/chats/{session.key}/end/", follow=True).content.decode()
    assert f"Case {session.case.number} stays open" in answer
    session.refresh_from_db()
    assert session.status == ChatStatus.ENDED and session.ended_by == "agent"
    entry = AuditEntry.objects.get(case=session.case, action=AuditAction.CHAT_ENDED)
    assert entry.actor == world.works_agent and entry.after["messages"] == 2
    case_page = works_client.get(f"/staff/cases/{session.case.number}/").content.decode()
    assert "wanda ended the live chat after 2 messages" in case_page
    assert "Thanks!" in case_page  # the transcript stays on the timeline
    target = replies.reply_target(session.case)
    assert (target.channel, target.to) == ("email", "rosa@example.com")
    assert works_client.post(f"/staff/chats/{session.key}/end/").status_code == 302  # again: nothing new
    assert AuditEntry.objects.filter(case=session.case, action=AuditAction.CHAT_ENDED).count() == 1


def test_after_a_chat_the_composer_offers_the_residents_phone_for_sms(world, works_client):
    session = start_chat(world.works, name="Rosa", phone="+1 415 555 0100", email="rosa@example.com",
                         reply_channel="sms")
    works_client.post(f"/staff/chats/{session.key}/accept/")
    works_client.post(f"/staff/chats/{session.key}/end/")
    target = replies.reply_target(session.case)
    assert (target.channel, target.to) == ("sms", "+14155550100")
    page = works_client.get(f"/staff/cases/{session.case.number}/").content.decode()
    assert "SMS to" in page  # the composer says where the reply goes, and offers her email instead
    assert 'name="send_to"' in page and "rosa@example.com" in page


def test_end_and_block_stops_the_session_and_keeps_the_reason_on_the_timeline(world, works_client):
    session = start_chat(world.works, name="Troll")
    works_client.post(f"/staff/chats/{session.key}/accept/")
    works_client.post(f"/staff/chats/{session.key}/block/", {"reason": "Abusive   language"})
    session.refresh_from_db()
    assert session.blocked and session.status == ChatStatus.ENDED
    entry = AuditEntry.objects.get(case=session.case, action=AuditAction.CHAT_BLOCKED)
    assert entry.reason == "Abusive language" and entry.actor == world.works_agent
    page = works_client.get(f"/staff/cases/{session.case.number}/").content.decode()
    assert "wanda ended the live chat and blocked the resident&#x27;s chat session" in page
    try:
        resident_says(session, "let me in")
    except chat_actions.SessionBlocked:
        pass
    else:
        raise AssertionError("a blocked session still posts")


def test_only_the_answering_agent_or_a_supervisor_ends_a_chat(world, works_client):
    session = start_chat(world.works)
    works_client.post(f"/staff/chats/{session.key}/accept/")
    walt = client_for(world.works_agent2)
    refused = walt.post(f"/staff/chats/{session.key}/end/", **JSON)
    assert refused.status_code == 403
    waiting = start_chat(world.works, name="Spammer")
    supervisor = client_for(world.supervisor)
    supervisor.post(f"/staff/chats/{waiting.key}/block/", {"reason": "Spam"})
    waiting.refresh_from_db()
    assert waiting.blocked  # a supervisor blocks an abusive chat straight from the queue


def test_the_live_check_brings_new_events_the_queue_when_it_changed_and_the_held_chats(world, works_client):
    session = start_chat(world.works, name="Rosa")
    other = start_chat(world.works, name="Ravi")
    works_client.post(f"/staff/chats/{session.key}/accept/")
    seq = resident_says(session, "Are you there?")
    first = works_client.get("/staff/chats/live/", {"c": [f"{session.key}:{seq - 1}", f"{other.key}:0"]}).json()
    assert [e["text"] for e in first["events"]] == ["Are you there?"]  # not Ravi's: not this agent's chat
    assert first["held"] == [str(session.key)] and first["waiting"] == 1
    signature = first["queue"]["signature"]
    assert "Ravi" in first["queue"]["html"]
    second = works_client.get("/staff/chats/live/", {"c": f"{session.key}:{seq}", "q": signature}).json()
    assert second["events"] == [] and "queue" not in second
    assert works_client.get("/staff/chats/live/", {"c": ["junk", "x:y", f"{session.key}:-1"]}).status_code == 200


def test_the_header_counts_waiting_chats_and_an_accepting_agents_desk_checks_in(world, works_client):
    start_chat(world.works)
    start_chat(world.parks)
    first = works_client.get("/staff/chats/nav/")
    assert first.status_code == 200 and "(1 waiting)" in first.content.decode()
    assert "every 20s" not in first.content.decode()  # not taking chats: no timed check
    assert works_client.get("/staff/chats/nav/", {"shown": "1:0"}).status_code == 204
    works_client.post("/staff/chats/availability/", {"available": "on"})
    AgentAvailability.objects.filter(user=world.works_agent).update(seen_at=timezone.now() - timezone.timedelta(
        minutes=5))
    accepting = works_client.get("/staff/chats/nav/", {"shown": "1:0"}).content.decode()
    assert "every 20s" in accepting and "1 chat is waiting." in accepting
    seen = AgentAvailability.objects.get(user=world.works_agent).seen_at
    assert seen > timezone.now() - timezone.timedelta(seconds=5)  # the check-in


def test_the_availability_switch(world, works_client):
    page = works_client.get("/staff/chats/").content.decode()
    assert "Become available for chat" in page
    assert works_client.post("/staff/chats/availability/", {"available": "maybe"}).status_code == 400
    answer = works_client.post("/staff/chats/availability/", {"available": "on"}, follow=True).content.decode()
    assert "You are now available for chat." in answer and "Go away from chat" in answer
    assert AgentAvailability.objects.get(user=world.works_agent).accepting
    works_client.post("/staff/chats/availability/", {"available": "off"})
    assert not AgentAvailability.objects.get(user=world.works_agent).accepting


def test_the_desk_stream_is_for_signed_in_staff_and_answers_204_under_wsgi(client, world, works_client,
                                                                        django_user_model):
    assert client.get("/staff/chats/events/").status_code == 302
    resident = django_user_model.objects.create_user("resident", password="x" * 12)
    client.force_login(resident)
    assert client.get("/staff/chats/events/").status_code == 403
    assert client.get("/staff/chats/").status_code == 403
    assert works_client.get("/staff/chats/events/").status_code == 204


def test_the_chats_link_is_in_the_staff_navigation(works_client):
    page = works_client.get("/staff/").content.decode()
    assert 'href="/staff/chats/"' in page and 'id="chat-nav-poller"' in page


def test_fragments_are_scoped(world, works_client):
    start_chat(world.parks, name="Pablo")
    assert "Pablo" not in works_client.get("/staff/chats/queue/").content.decode()
    assert "no chats in progress" in works_client.get("/staff/chats/mine/").content.decode()
    assert json.loads(works_client.get("/staff/chats/live/").content)["waiting"] == 0
    assert ChatSession.objects.count() == 1


def test_a_chat_cases_page_points_to_its_live_chat(world, works_client):
    session = start_chat(world.works, name="Rosa")
    page = works_client.get(f"/staff/cases/{session.case.number}/").content.decode()
    assert "The resident is waiting in the live chat queue." in page
    works_client.post(f"/staff/chats/{session.key}/accept/")
    page = works_client.get(f"/staff/cases/{session.case.number}/").content.decode()
    assert f'href="/staff/chats/#chat-{session.key}"' in page
    assert "Shown at once in the live chat the resident has open" in page  # the composer's destination
    walt_page = client_for(world.works_agent2).get(f"/staff/cases/{session.case.number}/").content.decode()
    assert "wanda is answering this case's live chat." in walt_page
    works_client.post(f"/staff/chats/{session.key}/end/")
    assert "live chat queue" not in works_client.get(f"/staff/cases/{session.case.number}/").content.decode()
