"""A live chat's case resolved during the chat is asked in the chat, and the ended chat's panel prompts for a rating
that posts to the survey."""

import uuid

import pytest

from civicdesk.chat import actions as chat
from civicdesk.chat.models import ChatEvent
from civicdesk.chat.views import COOKIE
from civicdesk.satisfaction.models import AskStatus, Survey
from civicdesk.satisfaction.tests.conftest import resolve

pytestmark = pytest.mark.django_db


def test_a_case_resolved_during_its_chat_is_asked_in_the_chat_and_the_ended_chat_prompts(world, client):
    session, token = chat.start_session(agency=world.works, text="Is the pool open on Sunday?",
                                        client_id=str(uuid.uuid4()), name="Rosa", email="rosa@example.com",
                                        language="en", ip_hash="ip-1")
    chat.accept_session(session, world.works_agent)
    case = resolve(session.case, world.works_agent)
    survey = Survey.objects.get(case=case)
    assert survey.channel == "chat" and survey.message.is_automatic
    assert ChatEvent.objects.filter(session=session, message=survey.message).exists()  # on the resident's screen
    chat.end_session(session, by_agent=world.works_agent)
    client.cookies[COOKIE] = token
    panel = client.get("/chat/").content.decode()
    assert f'id="survey-prompt-{survey.pk}"' in panel and f'action="/survey/{survey.token}/"' in panel
    answer = client.post(f"/survey/{survey.token}/", {"score": "5"})
    assert answer.status_code == 200
    assert Survey.objects.get(pk=survey.pk).status == AskStatus.ANSWERED
    assert 'id="survey-prompt-' not in client.get("/chat/").content.decode()  # asked once
