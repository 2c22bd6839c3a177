"""Replies out through the `xdk` SDK to the local X server: a reply post to the mention it answers, a direct message
to a direct message, X's rate-limit headers kept on the account, a 429 pausing the account, and X's refusals (a post
that did not summon us, the connector switched off) final and said in plain words on the case."""

from typing import Any

import pytest

from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.providers.x.adapter import XAdapter
from civicdesk.channels.providers.x.tests.conftest import ACCESS_TOKEN, OUR_ID
from civicdesk.channels.providers.x.tests.helpers import RESIDENT_ID, hook_url, receive, residents
from civicdesk.channels.providers.x.tests.x_server import Limit, XServer
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations import replies
from civicdesk.conversations.outbound import outbound_for, sending_account
from civicdesk.conversations.tasks import deliver_message
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(x_server: XServer) -> XServer:
    residents(x_server)
    return x_server


def case_of(post_id: str) -> Case:
    return Message.objects.get(provider_message_id=post_id, direction=Direction.INBOUND).case


def agent_reply(case: Case, text: str) -> Message:
    agent = create_staff("agent.streets", agencies=[case.agency])
    return replies.reply(case, author=agent, text=text)


def test_an_agents_reply_to_a_mention_goes_out_as_a_reply_post_to_it(
        server: XServer, x_account: ChannelAccount) -> None:
    post = server.mention(RESIDENT_ID, "Streetlight out at Main and 3rd.", to=OUR_ID)
    receive(server, x_account, server.activity(OUR_ID, [post]))
    reply = agent_reply(case_of(post["id_str"]), "Thanks, a crew is on the way.")
    outbound = outbound_for(reply, sending_account(reply))
    assert (outbound.visibility, outbound.in_reply_to) == (Visibility.PUBLIC, post["id_str"])
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    sent = [body for method, path, body in server.requests if path == "/2/tweets"][-1]
    assert sent == {"text": "Thanks, a crew is on the way.", "reply": {"in_reply_to_tweet_id": post["id_str"]}}
    assert server.posts[reply.provider_message_id]["in_reply_to_status_id_str"] == post["id_str"]
    x_account.refresh_from_db()
    assert x_account.limits["limit"] == 100 and x_account.limits["remaining"] < 100  # x-rate-limit-* kept
    assert server.flush(hook_url(x_account)) == [200]  # X echoes our own post to the webhook: accepted, and ignored


def test_a_reply_to_a_direct_message_goes_out_as_a_direct_message(server: XServer, x_account: ChannelAccount) -> None:
    payload = receive(server, x_account, server.direct_message(RESIDENT_ID, "Missed collection on Oak.", to=OUR_ID))
    assert payload is not None
    reply = agent_reply(payload.case, "We will come by tomorrow.")
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert server.dms[-1] == {"id": reply.provider_message_id, "sender_id": OUR_ID, "recipient_id": RESIDENT_ID,
                              "text": "We will come by tomorrow."}
    assert not [path for _, path, _ in server.requests if path == "/2/tweets"]  # nothing went out in public


def test_a_429_pauses_the_account_until_x_says_and_the_reply_waits_without_using_an_attempt(
        server: XServer, x_account: ChannelAccount) -> None:
    post = server.mention(RESIDENT_ID, "Broken bench.", to=OUR_ID)
    receive(server, x_account, server.activity(OUR_ID, [post]))
    server.limits["POST /2/tweets"] = Limit(100, 0)
    reply = agent_reply(case_of(post["id_str"]), "Thanks!")
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    x_account.refresh_from_db()
    assert reply.delivery_status != DeliveryStatus.FAILED and reply.attempts == 0
    assert x_account.paused_until is not None
    assert abs(x_account.paused_until.timestamp() - server.limits["POST /2/tweets"].reset) < 2


def test_rate_limited_is_raised_with_the_seconds_until_the_reset(server: XServer, x_account: ChannelAccount) -> None:
    server.limits["POST /2/dm"] = Limit(1440, 0)
    message = OutboundMessage(to="@" + RESIDENT_ID, sender=OUR_ID, text="Hello")
    with pytest.raises(RateLimited) as raised:
        XAdapter().send(message, AccountConfig.of(x_account))
    assert 800 < raised.value.retry_after <= 900


def test_x_refuses_a_reply_to_a_post_that_did_not_summon_us_and_the_case_says_why(
        server: XServer, x_account: ChannelAccount) -> None:
    post = server.mention(RESIDENT_ID, "Hello", to=OUR_ID)
    post["entities"]["user_mentions"] = []  # X's rule: only posts that mention or quote us may be answered
    message = OutboundMessage(to="@" + RESIDENT_ID, sender=OUR_ID, text="Hi", in_reply_to=post["id_str"],
                              visibility=Visibility.PUBLIC)
    with pytest.raises(PermanentSendError, match="not been mentioned"):
        XAdapter().send(message, AccountConfig.of(x_account))


def test_a_public_reply_without_a_post_to_answer_and_any_reply_with_the_connector_off_are_refused(
        server: XServer, x_account: ChannelAccount, settings: Any) -> None:
    config = AccountConfig.of(x_account)
    public = OutboundMessage(to="@" + RESIDENT_ID, sender=OUR_ID, text="Hi", visibility=Visibility.PUBLIC)
    with pytest.raises(PermanentSendError, match="answers no post"):
        XAdapter().send(public, config)
    settings.X_CONNECTOR_ENABLED = False
    with pytest.raises(PermanentSendError, match="X connector is off"):
        XAdapter().send(OutboundMessage(to=RESIDENT_ID, sender=OUR_ID, text="Hi"), config)
    assert not server.requests


def test_a_revoked_token_is_final_and_names_what_to_do(server: XServer, x_account: ChannelAccount) -> None:
    server.tokens.pop(ACCESS_TOKEN)
    with pytest.raises(PermanentSendError, match="connect the X account again"):
        XAdapter().send(OutboundMessage(to=RESIDENT_ID, sender=OUR_ID, text="Hi"), AccountConfig.of(x_account))


def test_a_mention_gets_no_automatic_public_reply(server: XServer, x_account: ChannelAccount) -> None:
    """An acknowledgement under a public post would name the case in public (and X charges for every post)."""
    post = server.mention(RESIDENT_ID, "Broken swing in Oak Park.", to=OUR_ID)
    receive(server, x_account, server.activity(OUR_ID, [post]))
    assert not Message.objects.filter(direction=Direction.OUTBOUND, is_automatic=True).exists()
    assert [path for method, path, body in server.requests if path == "/2/tweets"] == []
