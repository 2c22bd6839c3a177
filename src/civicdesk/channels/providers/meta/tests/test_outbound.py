"""Replies by the Graph API against the local Graph server: Send API within 24 hours, the HUMAN_AGENT tag up to 7
days, refused after that before any call; comment replies under the thread; Graph errors in plain words."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.providers.meta.adapter import MetaAdapter
from civicdesk.channels.providers.meta.errors import read_usage
from civicdesk.channels.providers.meta.simulation import payload
from civicdesk.channels.providers.meta.tests.conftest import IG_ID, PAGE_ID, PAGE_TOKEN, PSID, post_webhook
from civicdesk.channels.providers.meta.tests.graph_server import GraphServer
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations import pipeline, replies
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.tasks import deliver_message
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db


def receive(account: ChannelAccount, graph: GraphServer, text: str, kind: str = "message", user: str = PSID,
            unique: str = "a") -> Case:
    document = payload(account.channel, account.address, text, kind, user_id=user, unique=unique)
    assert post_webhook(Client(), account, document).status_code == 200
    from civicdesk.channels.models import InboundPayload
    result = pipeline.process(InboundPayload.objects.order_by("-pk")[0])
    if kind == "message":
        graph.user_wrote(account.address, user)
    else:
        value = document["entry"][0]["changes"][0]["value"]
        graph.add_comment(account.address, value.get("comment_id") or value.get("id"))
    assert result.case is not None
    return result.case


def agent_reply(case: Case, text: str) -> Message:
    agent = User.objects.filter(username="agent").first() or create_staff("agent", agencies=[case.agency])
    reply = replies.reply(case, author=agent, text=text)
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    return reply


def age_conversation(case: Case, graph: GraphServer, account: ChannelAccount, hours: float) -> None:
    then = timezone.now() - timedelta(hours=hours)
    Conversation.objects.filter(case=case).update(last_inbound_at=then)
    graph.user_wrote(account.address, PSID, then)


def test_a_messenger_reply_within_24_hours_is_a_response_from_the_page(page: ChannelAccount,
                                                                      graph: GraphServer) -> None:
    case = receive(page, graph, "The streetlight on Elm is out")
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    deliver_message.call(ack.pk)
    reply = agent_reply(case, "A crew is on the way.")
    assert reply.delivery_status == DeliveryStatus.SENT and reply.provider_message_id.startswith("m_local")
    ack_call, reply_call = graph.calls
    assert reply_call.path == f"/{PAGE_ID}/messages" and reply_call.token == PAGE_TOKEN and reply_call.proof
    assert reply_call.body == {"recipient": {"id": PSID}, "message": {"text": "A crew is on the way."},
                               "messaging_type": "RESPONSE"}
    assert ack_call.body["messaging_type"] == "RESPONSE"


def test_after_24_hours_a_person_replies_with_the_human_agent_tag(page: ChannelAccount, graph: GraphServer) -> None:
    case = receive(page, graph, "Graffiti on the library wall")
    age_conversation(case, graph, page, hours=72)
    reply = agent_reply(case, "It was cleaned this morning.")
    assert reply.delivery_status == DeliveryStatus.SENT
    assert graph.calls[-1].body["messaging_type"] == "MESSAGE_TAG" and graph.calls[-1].body["tag"] == "HUMAN_AGENT"


def test_after_7_days_the_reply_is_refused_before_any_call_with_the_reason_on_the_case(
        page: ChannelAccount, graph: GraphServer) -> None:
    case = receive(page, graph, "Broken bench")
    age_conversation(case, graph, page, hours=8 * 24)
    reply = agent_reply(case, "Fixed.")
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "More than 7 days have passed" in reply.last_error
    assert graph.calls == []
    assert AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED).reason == reply.last_error


def test_an_automatic_message_after_24_hours_is_refused_but_a_person_may_still_answer(page: ChannelAccount) -> None:
    config = AccountConfig(id=page.pk, channel=Channel.FACEBOOK, provider="meta", address=PAGE_ID,
                           credentials={"page_token": PAGE_TOKEN})
    key = f"{PAGE_ID}:dm:{PSID}"
    with pytest.raises(PermanentSendError, match="not an automatic one"):
        MetaAdapter().send(OutboundMessage(to=f"{PAGE_ID}:{PSID}", sender="", text="Your case is closed.",
                                           conversation_key=key, automatic=True,
                                           last_inbound_at=timezone.now() - timedelta(hours=30)), config)


def test_a_comment_is_answered_by_a_public_reply_under_its_thread_and_acknowledged_privately(
        page: ChannelAccount, graph: GraphServer) -> None:
    case = receive(page, graph, "Overflowing bin at Riverside Park", kind="comment", user="63", unique="c")
    comment_id = Message.objects.get(case=case, direction=Direction.INBOUND).provider_message_id
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    deliver_message.call(ack.pk)
    assert graph.calls[-1].path == f"/{PAGE_ID}/messages"
    assert graph.calls[-1].body["recipient"] == {"comment_id": comment_id}  # a private reply, not a public comment
    reply = agent_reply(case, "Emptied this afternoon, thank you.")
    assert reply.delivery_status == DeliveryStatus.SENT
    assert graph.calls[-1].path == f"/{comment_id}/comments"
    assert graph.calls[-1].body == {"message": "Emptied this afternoon, thank you."}
    assert graph.comments[comment_id]["replies"][0]["message"] == "Emptied this afternoon, thank you."


def test_an_instagram_dm_and_comment_reply_use_instagrams_endpoints(instagram: ChannelAccount,
                                                                    graph: GraphServer) -> None:
    dm_case = receive(instagram, graph, "Is the pool open today?")
    assert agent_reply(dm_case, "Yes, until 8 pm.").delivery_status == DeliveryStatus.SENT
    assert graph.calls[-1].path == f"/{IG_ID}/messages"
    comment_case = receive(instagram, graph, "The swing is broken", kind="comment", user="92", unique="j")
    comment_id = Message.objects.get(case=comment_case, direction=Direction.INBOUND).provider_message_id
    sent = agent_reply(comment_case, "Reported to Parks.")
    assert sent.delivery_status == DeliveryStatus.SENT, sent.last_error
    assert graph.calls[-1].path == f"/{comment_id}/replies"


def test_graph_errors_are_final_in_plain_words_or_pause_the_account(page: ChannelAccount, graph: GraphServer) -> None:
    case = receive(page, graph, "Noise complaint")
    graph.fail_next(400, 551, "This person isn't available right now.", subcode=1545041)
    reply = agent_reply(case, "We will send an inspector.")
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert reply.last_error.startswith("The resident is not available on Messenger") and "(Meta error 551)" in (
        reply.last_error)
    usage = {PAGE_ID: [{"type": "messenger", "call_count": 100, "total_cputime": 10, "total_time": 10,
                        "estimated_time_to_regain_access": 5}]}
    graph.fail_next(400, 613, "Calls to this api have exceeded the rate limit.",
                    headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    config = AccountConfig.of(page)
    with pytest.raises(RateLimited) as raised:
        MetaAdapter().send(OutboundMessage(to=f"{PAGE_ID}:{PSID}", sender="", text="Hello",
                                           conversation_key=f"{PAGE_ID}:dm:{PSID}",
                                           last_inbound_at=timezone.now()), config)
    assert raised.value.retry_after == 300
    page.refresh_from_db()
    assert page.paused_until is not None and page.limits["remaining"] == 0
    graph.fail_next(400, 190, "Error validating access token: Session has expired.")
    with pytest.raises(PermanentSendError, match="access token"):
        MetaAdapter().send(OutboundMessage(to=f"{PAGE_ID}:{PSID}", sender="", text="Hello",
                                           conversation_key=f"{PAGE_ID}:dm:{PSID}",
                                           last_inbound_at=timezone.now()), config)


def test_the_usage_headers_are_noted_on_the_account(page: ChannelAccount, graph: GraphServer) -> None:
    graph.usage = {"call_count": 28, "total_cputime": 25, "total_time": 31}
    case = receive(page, graph, "Missed pickup")
    agent_reply(case, "Tomorrow morning.")
    page.refresh_from_db()
    assert page.limits["limit"] == 100 and page.limits["remaining"] == 69
    assert read_usage({"x-app-usage": "not json"}).percent is None


def test_a_wrong_page_token_is_refused_by_the_graph_server(page: ChannelAccount, graph: GraphServer,
                                                           settings: Any) -> None:
    config = AccountConfig(id=page.pk, channel=Channel.FACEBOOK, provider="meta", address=PAGE_ID,
                           credentials={"page_token": "stolen", "app_secret": "x"})
    graph.user_wrote(PAGE_ID, PSID)
    with pytest.raises(PermanentSendError, match="Meta error 190"):
        MetaAdapter().send(OutboundMessage(to=f"{PAGE_ID}:{PSID}", sender="", text="Hi",
                                           conversation_key=f"{PAGE_ID}:dm:{PSID}",
                                           last_inbound_at=timezone.now()), config)


def test_one_instagram_resident_with_a_dm_and_a_comment_gets_each_reply_in_its_own_conversation(
        instagram: ChannelAccount, graph: GraphServer) -> None:
    dm_case = receive(instagram, graph, "Is the pool open today?", user="91", unique="p")
    comment_case = receive(instagram, graph, "The pool's gate is broken", kind="comment", user="91", unique="q")
    assert dm_case.pk != comment_case.pk
    assert agent_reply(dm_case, "Open until 8 pm.").delivery_status == DeliveryStatus.SENT
    assert graph.calls[-1].path == f"/{IG_ID}/messages" and graph.calls[-1].body["recipient"] == {"id": "91"}
    assert agent_reply(comment_case, "Reported to Parks.").delivery_status == DeliveryStatus.SENT
    assert graph.calls[-1].path.endswith("/replies")
