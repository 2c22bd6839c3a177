"""Issue #7 item 3: the staff reply box and the API reply say plainly who sees each reply; private is the default."""

import re

import pytest

from civicdesk.api.tests.conftest import api_client_for
from civicdesk.cases.models import Direction, Message
from civicdesk.inbox.tests.conftest import World
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world: World):
    return create_case(service=world.pothole, email="resident@example.com", subject="Hole", body="A hole.")


def test_the_reply_box_offers_both_audiences_with_private_chosen(world, works_client, case):
    html = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    form = re.search(r'<form[^>]+id="reply-form".*?</form>', html, re.S)
    assert form, "the reply form"
    text = re.sub(r"\s+", " ", form.group(0))
    assert "Reply privately to the resident" in text
    assert ("Public update: everyone can see it on the status page, map and Open311, and followers get it by email"
            in text)
    assert re.search(r'<input[^>]+value="private"[^>]+checked', text)
    assert not re.search(r'<input[^>]+value="public"[^>]+checked', text)


def test_the_chosen_audience_is_stated_next_to_the_send_button(world, works_client, case):
    html = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    form = re.sub(r"\s+", " ", re.search(r'<form[^>]+id="reply-form".*?</form>', html, re.S).group(0))
    before_button = form.split("Send reply")[0]
    assert "Private:" in before_button and "only the resident sees this" in before_button
    assert "Public:" in before_button and "every follower get it by email" in before_button
    assert 'aria-describedby="reply-audience-private reply-audience-public"' in form


def test_a_reply_from_the_box_is_private_unless_public_is_chosen(world, works_client, case):
    works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Just for you.", "audience": "private"})
    works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "For everyone.", "audience": "public"})
    replies = Message.objects.filter(case=case, direction=Direction.OUTBOUND, is_automatic=False).order_by("pk")
    assert [(m.visible_text, m.is_public) for m in replies] == [("Just for you.", False), ("For everyone.", True)]


def test_a_reply_with_an_unknown_audience_is_refused_with_a_clear_400(world, works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Who sees me?", "audience": "all"})
    assert response.status_code == 400
    assert not Message.objects.filter(visible_text="Who sees me?").exists()


def test_the_api_reply_is_private_by_default_and_public_when_asked(world, case):
    api = api_client_for(world.works_agent)
    private = api.post(f"/api/cases/{case.number}/replies", {"text": "Default audience."})
    public = api.post(f"/api/cases/{case.number}/replies", {"text": "Public one.", "audience": "public"})
    wrong = api.post(f"/api/cases/{case.number}/replies", {"text": "Huh.", "audience": "everyone"})
    assert private.status_code == public.status_code == 201
    assert private.json()["is_public"] is False and public.json()["is_public"] is True
    assert wrong.status_code == 422
    schema = api.get("/api/openapi.json").json()
    assert "audience" in re.sub(r"\s+", " ", str(schema["components"]["schemas"]["ReplyIn"]))
