"""Replies on the conversation the resident last used, and the acknowledgement rendered for each channel."""

import pytest

from civicdesk.api.actions import create_token
from civicdesk.cases.models import Direction
from civicdesk.channels.events import SenderIdentity
from civicdesk.channels.outbound import Capabilities
from civicdesk.contacts.models import Identity
from civicdesk.conversations import capabilities, replies
from civicdesk.conversations.rendering import ReplyKind, fit, render
from civicdesk.conversations.tests.inbound import RESIDENT, receive, sms
from civicdesk.testing.factories import create_agency, create_case, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_agency():
    return create_agency("311")


def test_a_reply_goes_on_the_conversation_of_the_latest_inbound_message():
    case = create_case(channel="email", email="resident@example.com", subject="Broken hydrant",
                       extra_identities=[SenderIdentity("phone", RESIDENT)])
    assert replies.reply_channel(case) == "email"
    receive(sms(f"About {case.number}: water everywhere now."))
    reply = replies.reply(case, author=create_staff(), text="A crew is on its way.")
    assert (reply.channel, reply.recipient, reply.subject, reply.email_message_id) == ("sms", RESIDENT, "", "")
    assert reply.body_text == "A crew is on its way."


def test_the_agent_may_pick_another_of_the_residents_identities():
    case = create_case(channel="email", email="resident@example.com", subject="Broken hydrant",
                       extra_identities=[SenderIdentity("phone", RESIDENT)])
    receive(sms(f"About {case.number}: water everywhere now."))
    email = Identity.objects.get(kind="email", value="resident@example.com")
    assert email in replies.reply_identities(case)
    reply = replies.reply(case, author=create_staff(), text="A crew is on its way.", identity=email)
    assert reply.channel == "email" and reply.recipient == "resident@example.com"
    assert reply.subject == f"[{case.number}] Broken hydrant" and reply.email_message_id


def test_a_reply_to_someone_elses_identity_is_refused():
    case = create_case(email="resident@example.com")
    other = create_case(email="neighbour@example.com")
    with pytest.raises(ValueError):
        replies.reply(case, author=create_staff(), text="Hi", identity=other.contact.identities.get())
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()


def test_a_portal_case_without_email_is_answered_on_the_status_page():
    case = create_case(email="")
    assert replies.reply_target(case) == replies.ReplyTarget("web")
    assert replies.acknowledge(case) is None  # the confirmation page showed the number already
    reply = replies.reply(case, author=create_staff(), text="Fixed.", public=True)
    assert reply.channel == "web" and reply.recipient == ""


def test_the_acknowledgement_goes_by_sms_without_a_subject_within_the_length_limit():
    case = receive(sms("The streetlight on Elm St is out.")).case
    ack = case.messages.get(direction=Direction.OUTBOUND)
    assert ack.is_automatic and (ack.channel, ack.recipient, ack.subject) == ("sms", RESIDENT, "")
    assert case.number in ack.body_text and f"/status/{case.public_id}/" in ack.body_text
    assert "email" not in ack.body_text
    assert len(ack.body_text) <= capabilities.capabilities("sms").max_length


def test_the_acknowledgement_by_email_keeps_its_subject_and_text():
    case = create_case(channel="email", email="resident@example.com", subject="Broken hydrant")
    ack = case.messages.get(direction=Direction.OUTBOUND)
    assert (ack.channel, ack.recipient) == ("email", "resident@example.com")
    assert ack.subject == f"[{case.number}] Broken hydrant"
    assert ack.body_text.startswith(f"Thank you. We received your request and gave it the number {case.number}.")
    assert ack.body_text.endswith("Reply to this email to add information.")


def test_rendering_respects_each_channels_length_limit_and_subjects(monkeypatch):
    monkeypatch.setitem(capabilities.FALLBACK, "sms", Capabilities(max_length=60))
    case = create_case(email="resident@example.com", subject="Broken hydrant")
    ack = render("sms", case, ReplyKind.ACKNOWLEDGEMENT)
    assert ack.subject == "" and len(ack.text) <= 60 and ack.text.endswith("…")
    long = render("x", case, ReplyKind.REPLY, text="word " * 100)
    assert long.subject == "" and len(long.text) <= 280 and not long.text.endswith(" …")
    mail = render("email", case, ReplyKind.REPLY, text="word " * 100)
    assert mail.subject == f"[{case.number}] Broken hydrant" and mail.text == ("word " * 100).strip()


def test_text_is_cut_at_a_word_boundary():
    assert fit("short", 10) == "short"
    assert fit("one two three four", 12) == "one two…"
    assert len(fit("x" * 50, 10)) == 10


def test_the_api_sends_a_reply_to_the_identity_the_agent_names(client):
    case = create_case(channel="email", email="resident@example.com", subject="Broken hydrant",
                       extra_identities=[SenderIdentity("phone", RESIDENT)])
    agent = create_staff(agencies=[case.agency])
    headers = {"Authorization": f"Bearer {create_token(agent, name='test').raw}"}
    url = f"/api/cases/{case.number}/replies"
    sent = client.post(url, {"text": "Texting you.", "identity": "(215) 555-0100"}, content_type="application/json",
                       headers=headers)
    assert sent.status_code == 201, sent.content
    assert case.messages.filter(direction=Direction.OUTBOUND, channel="sms", recipient=RESIDENT).exists()
    refused = client.post(url, {"text": "Hi", "identity": "stranger@example.com"}, content_type="application/json",
                          headers=headers)
    assert refused.status_code == 400
