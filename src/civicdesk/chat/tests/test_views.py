"""The resident's side over HTTP: start or leave a message, post (once per UUID), the limits, end, and polling."""

import pytest
from django.test import Client

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.chat import actions
from civicdesk.chat.models import ChatSession, ChatStatus
from civicdesk.chat.tests.conftest import new_id
from civicdesk.chat.views import COOKIE

pytestmark = pytest.mark.django_db
JS = {"HTTP_X_REQUESTED_WITH": "civicdesk-chat"}


def start(client: Client, agency, text: str = "Is the pool open?", **extra) -> object:
    data = {"chat-agency": agency.pk, "chat-text": text, "chat-client_id": new_id(), "chat-reply_channel": "",
            **extra}
    return client.post("/chat/start/", data, **JS)


def test_the_panel_offers_the_agencies_and_says_which_take_a_message_only(client, world, on_duty):
    html = client.get("/chat/", **JS).content.decode()
    assert ">Public Works<" in html and "Parks and Recreation (leave a message)" in html
    assert 'name="chat-text"' in html and "<html" not in html  # a fragment for the widget


def test_without_javascript_the_chat_is_a_page_of_its_own(client, world):
    html = client.get("/chat/").content.decode()
    assert "<h1>Chat with us</h1>" in html and 'data-chat-widget' not in html


def test_starting_a_chat_with_a_staffed_agency_waits_in_the_queue_with_a_cookie(client, world, on_duty):
    response = start(client, world.works, email="rosa@example.com")
    assert response.status_code == 201
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/chat/" and cookie["samesite"] == "Lax"
    session = ChatSession.objects.get()
    assert session.status == ChatStatus.WAITING and session.case.channel == Channel.CHAT
    assert session.ip_hash and "127.0.0.1" not in session.ip_hash
    assert "Your place in the queue: 1." in response.content.decode()


def test_nobody_available_turns_the_form_into_leave_a_message(client, world):
    response = start(client, world.parks)
    html = response.content.decode()
    assert response.status_code == 200 and "Nobody at Parks and Recreation can chat right now" in html
    assert 'name="leave" value="1"' in html and "Is the pool open?" in html  # what they wrote is kept
    assert not ChatSession.objects.exists() and not Case.objects.exists()


def test_a_left_message_becomes_a_case_answered_by_the_chosen_channel(client, world, mailoutbox):
    response = start(client, world.parks, leave="1", **{"chat-reply_channel": "email",
                                                         "chat-email": "rosa@example.com"})
    assert response.status_code == 201
    session = ChatSession.objects.get()
    case = session.case
    assert session.status == ChatStatus.LEFT_MESSAGE and case.agency == world.parks
    assert f"Your message is request {case.number}" in response.content.decode()
    assert COOKIE not in response.cookies
    acknowledgement = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    assert acknowledgement.channel == Channel.EMAIL and acknowledgement.recipient == "rosa@example.com"


def test_leaving_a_message_to_be_answered_by_text_needs_a_phone_number(client, world):
    response = start(client, world.parks, leave="1", **{"chat-reply_channel": "sms"})
    assert response.status_code == 400
    assert "Enter your phone number, so we can answer you by text message." in response.content.decode()
    assert not Case.objects.exists()


def test_a_bad_phone_number_or_agency_is_a_clear_400(client, world, on_duty):
    assert "Enter a valid phone number" in start(client, world.works, **{"chat-phone": "12"}).content.decode()
    response = client.post("/chat/start/", {"chat-agency": "999999", "chat-text": "Hi"}, **JS)
    assert response.status_code == 400 and "Choose who to chat with." in response.content.decode()


def post(client: Client, text: str, client_id: str | None = None):
    return client.post("/chat/messages/", {"id": client_id or new_id(), "text": text}, **JS)


def test_a_retried_message_takes_effect_once(client, world, on_duty):
    start(client, world.works)
    client_id = new_id()
    first, again = post(client, "Hello?", client_id), post(client, "Hello?", client_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["seq"] == again.json()["seq"] == 2 and first.json()["id"] == client_id
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 2


def test_a_message_over_the_cap_is_a_413_with_the_cap_in_words(client, settings, world, on_duty):
    settings.CHAT_MAX_MESSAGE_CHARS = 20
    start(client, world.works)
    response = post(client, "x" * 21)
    assert response.status_code == 413
    assert response.json()["error"] == "Your message is too long: at most 20 characters, this one has 21."


def test_an_empty_message_or_a_missing_session_is_a_4xx(client, world, on_duty):
    assert post(client, "Hello").status_code == 404  # no chat in this browser
    start(client, world.works)
    assert post(client, "   ").status_code == 400


def test_too_many_messages_from_one_session_get_429_with_retry_after(client, settings, world, on_duty):
    settings.CHAT_MESSAGES_PER_MINUTE = 3
    start(client, world.works)
    assert [post(client, f"m{i}").status_code for i in range(3)] == [201, 201, 201]
    refused = post(client, "one more")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "too quickly" in refused.json()["error"]


def test_one_address_is_limited_across_its_sessions(settings, world, on_duty):
    settings.CHAT_IP_MESSAGES_PER_MINUTE = 2
    first, second = Client(), Client()
    start(first, world.works)
    start(second, world.works)
    assert post(first, "a").status_code == 201 and post(second, "b").status_code == 201
    assert post(first, "c").status_code == 429


def test_too_many_new_chats_from_one_address_are_refused(client, settings, world, on_duty):
    settings.CHAT_STARTS_PER_HOUR = 2
    assert [start(Client(), world.works).status_code for _ in range(2)] == [201, 201]
    assert start(client, world.works).status_code == 429


def test_a_blocked_session_gets_a_polite_403_and_its_page_says_so(client, world, on_duty):
    start(client, world.works)
    session = ChatSession.objects.get()
    actions.accept_session(session, on_duty)
    actions.block_session(session, on_duty, reason="Insults")
    response = post(client, "Hello?")
    assert response.status_code == 403 and "closed by the agency" in response.json()["error"]
    html = client.get("/chat/", **JS).content.decode()
    assert "closed by the agency" in html and "data-chat-composer" not in html


def test_the_resident_ends_the_chat_and_can_start_a_new_one(client, world, on_duty):
    start(client, world.works)
    assert client.post("/chat/end/", **JS).json()["status"] == ChatStatus.ENDED
    assert post(client, "Still there?").status_code == 409
    assert 'name="chat-text"' in client.get("/chat/?new=1", **JS).content.decode()


def test_polling_returns_the_events_after_the_cursor_and_the_state(client, world, on_duty):
    start(client, world.works)
    session = ChatSession.objects.get()
    actions.accept_session(session, on_duty)
    actions.post_agent_message(session, on_duty, text="How can I help?", client_id=new_id())
    answer = client.get("/chat/poll/?after=1", **JS).json()
    assert [(e["seq"], e["kind"]) for e in answer["events"]] == [(2, "accepted"), (3, "message")]
    assert answer["events"][0]["agent"] == "wanda" and answer["events"][1]["from"] == "agent"
    assert answer["state"]["status"] == "active" and answer["state"]["agent"] == "wanda"
    assert client.get("/chat/poll/?after=3", **JS).json()["events"] == []
    assert client.get("/chat/poll/?after=x", **JS).status_code == 400


def test_a_waiting_resident_polls_their_place_in_the_queue(world, on_duty):
    first, second = Client(), Client()
    start(first, world.works)
    start(second, world.works)
    assert second.get("/chat/poll/", **JS).json()["state"]["position"] == 2
    actions.accept_session(ChatSession.objects.order_by("pk").first(), on_duty)
    assert second.get("/chat/poll/", **JS).json()["state"]["position"] == 1


def test_without_javascript_a_message_posts_and_comes_back_to_the_chat_page(client, world, on_duty):
    response = client.post("/chat/start/", {"chat-agency": world.works.pk, "chat-text": "Hi there"})
    assert response.status_code == 302 and response["Location"] == "/chat/"
    assert client.post("/chat/messages/", {"text": "Anyone?"}).status_code == 302
    html = client.get("/chat/").content.decode()
    assert "Anyone?" in html and "Check for new messages" in html


def test_under_wsgi_the_event_stream_answers_204_so_the_widget_polls(client, world, on_duty):
    start(client, world.works)
    assert client.get("/chat/events/").status_code == 204


def test_a_stream_without_a_chat_is_404(client, world):
    assert client.get("/chat/events/").status_code == 404


def test_the_leave_a_message_form_keeps_the_agency_chosen_when_it_comes_back_with_an_error(client, world):
    response = start(client, world.parks, leave="1", **{"chat-reply_channel": "email"})
    assert response.status_code == 400
    assert f'<option value="{world.parks.pk}" selected>' in response.content.decode()
