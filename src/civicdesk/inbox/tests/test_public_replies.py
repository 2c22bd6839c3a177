"""Issue 12 item 6: a reply under a public post is marked public in the composer, personal data in it is refused
by the server (nothing sent), and "continue privately" sends the network's own invitation and keeps the text."""

import re

import pytest
from django.utils import translation

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.contacts.actions import add_contact_note, update_contact
from civicdesk.conversations.public_replies import PRIVATE_WAYS, continue_privately, invitation
from civicdesk.testing.factories import create_case
from civicdesk.testing.social import social_case, use_test_adapters

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _adapters(settings):
    use_test_adapters(settings)


def composer(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<form[^>]+id="reply-form".*?</form>', html, re.S).group(0))


def outbound(case):
    return list(Message.objects.filter(case=case, direction=Direction.OUTBOUND, is_automatic=False))


@pytest.fixture
def public_case(world):
    case = social_case(world.pothole, Channel.MASTODON, "@rosa@social.example", "Pothole by the school",
                       address="1200 Elm Street")
    update_contact(case.contact, actor=None, display_name="Rosa Tester")
    return case


def test_a_reply_on_a_public_post_is_marked_public_with_the_network(works_client, public_case):
    form = composer(works_client.get(f"/staff/cases/{public_case.number}/").content.decode())
    assert "Public reply on Mastodon: anyone can see it" in form
    assert "Reply to the resident on Mastodon (public: anyone can see it)" in form
    assert "only the resident sees this" not in form


def test_a_direct_message_stays_private(works_client, world):
    case = social_case(world.pothole, Channel.MASTODON, "@omar@social.example", "Light out", public=False)
    form = composer(works_client.get(f"/staff/cases/{case.number}/").content.decode())
    assert "only the resident sees this" in form and "anyone can see it" not in form


@pytest.mark.parametrize("text, words", [
    ("Call us back on (215) 555-0123", "a phone number"),
    ("Mail rosa@example.com for details", "an email address"),
    ("The crew is at 1400 Walnut Street", "a street address"),
    ("Thanks Rosa Tester, on it", "a private detail of the case"),
    ("Revisamos la Calle Mayor 12", "a street address"),
])
def test_personal_data_in_a_public_reply_is_refused_and_nothing_is_sent(works_client, public_case, text, words):
    response = works_client.post(f"/staff/cases/{public_case.number}/reply/", {"text": text, "audience": "private"},
                                 **HTMX)
    assert response.status_code == 400
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "This reply would be public on Mastodon, and it contains personal data" in html and words in html
    assert "Nothing was sent" in html and ">Continue privately</button>" in html
    assert text in html  # what was written is kept
    assert outbound(public_case) == []


def test_a_public_update_on_a_public_post_is_checked_too(works_client, public_case):
    response = works_client.post(f"/staff/cases/{public_case.number}/reply/",
                                 {"text": "Mail rosa@example.com", "audience": "public"})
    assert response.status_code == 400 and outbound(public_case) == []


def test_the_cases_address_and_private_notes_are_refused_too(works_client, world, public_case):
    works_client.post(f"/staff/cases/{public_case.number}/note/", {"text": "Her son has asthma, crew must phone first"})
    add_contact_note(public_case.contact, author=world.works_agent, text="Prefers Spanish and calls after five pm")
    for text in ("Fixed at 1200 Elm Street", "Noted: her son has asthma, crew must phone first",
                 "She prefers Spanish and calls after five pm"):
        response = works_client.post(f"/staff/cases/{public_case.number}/reply/", {"text": text})
        assert response.status_code == 400, text
    assert outbound(public_case) == []


def test_a_clean_public_reply_goes_out(works_client, public_case):
    response = works_client.post(f"/staff/cases/{public_case.number}/reply/",
                                 {"text": "Thanks, a crew is on its way today.", "audience": "private"})
    assert response.status_code == 302
    sent = outbound(public_case)
    assert [m.body_text for m in sent] == ["Thanks, a crew is on its way today."]


def test_the_same_data_in_a_private_conversation_is_not_refused(works_client, world):
    case = social_case(world.pothole, Channel.MASTODON, "@omar@social.example", "Light out", public=False)
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Call (215) 555-0123 please"})
    assert response.status_code == 302 and len(outbound(case)) == 1


def test_an_email_case_is_not_checked(works_client, world):
    case = create_case(service=world.pothole, email="ann@example.com")
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Call (215) 555-0123"})
    assert response.status_code == 302


def test_continue_privately_sends_the_invitation_and_keeps_the_text_as_a_note(works_client, public_case):
    text = "Rosa, call (215) 555-0123 about 1200 Elm Street"
    response = works_client.post(f"/staff/cases/{public_case.number}/reply/",
                                 {"text": text, "audience": "private", "continue_privately": "1"}, **HTMX)
    assert response.status_code == 200
    assert "asked the resident to write to us privately" in response.content.decode()
    sent = outbound(public_case)
    assert len(sent) == 1 and not sent[0].is_public and sent[0].recipient == "@rosa@social.example"
    assert "send us a direct message" in sent[0].body_text and public_case.number in sent[0].body_text
    assert "555" not in sent[0].body_text
    timeline = re.sub(r"\s+", " ", works_client.get(f"/staff/cases/{public_case.number}/").content.decode())
    assert "Public reply by" in timeline  # the invitation is public on the network, and the timeline says so
    note = Message.objects.get(case=public_case, direction=Direction.NOTE)
    assert note.body_text.startswith("Draft to send privately") and text in note.body_text


def test_continue_privately_is_refused_outside_public_posts(world):
    case = social_case(world.pothole, Channel.MASTODON, "@omar@social.example", "Light out", public=False)
    with pytest.raises(ValueError):
        continue_privately(case, author=world.works_agent, text="x")


@pytest.mark.parametrize("channel, handle, words", [
    (Channel.MASTODON, "@a@social.example", "direct message"), (Channel.X, "@a", "Direct Message"),
    (Channel.BLUESKY, "@a.bsky.social", "chat message on Bluesky"), (Channel.FACEBOOK, "1234", "Messenger"),
    (Channel.YOUTUBE, "UCabc", "YouTube has no private messages, so please contact us at"),
])
def test_each_network_invites_in_its_own_way_within_its_length(world, channel, handle, words):
    case = social_case(world.pothole, channel, handle, "Broken light")
    text = invitation(case, channel)
    assert words in text and case.number in text and len(text) <= 280
    assert set(PRIVATE_WAYS) == {Channel.MASTODON, Channel.X, Channel.BLUESKY, Channel.FACEBOOK, Channel.YOUTUBE}


def test_the_invitation_is_in_the_residents_language(world):
    case = social_case(world.pothole, Channel.MASTODON, "@ana@social.example", "Bache enorme", language="es")
    with translation.override("en"):
        text = invitation(case, Channel.MASTODON)
    assert "mensaje directo" in text and case.number in text


def test_the_composer_names_a_social_resident_by_their_handle_not_the_platforms_id(works_client, world):
    case = social_case(world.pothole, Channel.MASTODON, "109876543210", "Light out", public=False,
                       display="@omar@social.example")
    form = composer(works_client.get(f"/staff/cases/{case.number}/").content.decode())
    assert "@omar@social.example" in form and "109876543210" not in form
