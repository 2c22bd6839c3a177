"""X's webhooks through the one entry, driven by the local X server: the CRC answered on GET, signed POSTs verified
before anything is stored, mentions threaded as public conversations, direct messages as private ones, our own
echoes ignored, deletions followed, and nothing at all while the connector is off or the contract unconfirmed."""

from typing import Any

import pytest
from django.test import Client

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import ChannelAccount, InboundPayload, PayloadStatus, WebhookRejection
from civicdesk.channels.providers.x.signing import SIGNATURE_HEADER
from civicdesk.channels.providers.x.tests.conftest import CONSUMER_SECRET, OUR_ID
from civicdesk.channels.providers.x.tests.helpers import NEIGHBOUR_ID, RESIDENT_ID, hook_url, receive, residents
from civicdesk.channels.providers.x.tests.x_server import XServer
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.replies import reply
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(x_server: XServer) -> XServer:
    residents(x_server)
    return x_server


def test_the_crc_challenge_is_answered_with_the_token_signed_by_the_consumer_secret(
        server: XServer, x_account: ChannelAccount) -> None:
    assert server.crc(hook_url(x_account))
    response = Client().get(f"/hooks/x/{x_account.pk}/", {"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json()["response_token"].startswith("sha256=")


def test_a_crc_request_without_a_token_is_refused_and_counted(x_account: ChannelAccount) -> None:
    assert Client().get(f"/hooks/x/{x_account.pk}/").status_code == 403
    assert Client().get(f"/hooks/x/{x_account.pk}/", {"crc_token": "x" * 600}).status_code == 403
    assert WebhookRejection.objects.get(account=x_account, reason="bad_challenge").count == 2


def test_a_forged_or_unsigned_delivery_is_refused_before_anything_is_stored(
        server: XServer, x_account: ChannelAccount) -> None:
    post = server.mention(RESIDENT_ID, "Pothole on Elm", to=OUR_ID)
    body = server.activity(OUR_ID, [post])
    answered, _ = server.deliver(body, url=hook_url(x_account), secret="not-the-consumer-secret-000")
    assert answered == 403
    unsigned = Client().post(f"/hooks/x/{x_account.pk}/", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 401
    assert not InboundPayload.objects.exists()
    assert WebhookRejection.objects.get(account=x_account, reason="bad_signature").count == 1


def test_a_mention_becomes_a_public_conversation_on_a_new_case(server: XServer, x_account: ChannelAccount) -> None:
    post = server.mention(RESIDENT_ID, "The streetlight at Main and 3rd is out.", to=OUR_ID)
    payload = receive(server, x_account, server.activity(OUR_ID, [post]))
    assert payload is not None and payload.status == PayloadStatus.PROCESSED
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.provider_message_id == post["id_str"]
    assert message.visible_text == "The streetlight at Main and 3rd is out."
    conversation = Conversation.objects.get(account=x_account)
    assert (conversation.visibility, conversation.thread_key) == (Visibility.PUBLIC, f"post:{post['id_str']}")
    assert conversation.identity is not None and RESIDENT_ID in conversation.identity.value
    assert message.case.channel == "x"


def test_a_reply_in_the_thread_continues_the_case_and_a_stranger_in_it_gets_a_case_of_their_own(
        server: XServer, x_account: ChannelAccount) -> None:
    first = server.mention(RESIDENT_ID, "Pothole on Elm St.", to=OUR_ID)
    receive(server, x_account, server.activity(OUR_ID, [first]))
    ours = server.mention(OUR_ID, "Thanks, a crew is on the way.", to=RESIDENT_ID, in_reply_to=first["id_str"])
    ours["entities"]["user_mentions"] = [{"id_str": RESIDENT_ID, "screen_name": "furiouscamper"}]
    case = Message.objects.get(provider_message_id=first["id_str"]).case
    agent = create_staff("wanda", agencies=[x_account.agency])
    answer = reply(case, author=agent, text="Thanks, a crew is on the way.")
    Message.objects.filter(pk=answer.pk).update(provider_message_id=ours["id_str"])
    again = server.mention(RESIDENT_ID, "Still there tonight.", to=OUR_ID, in_reply_to=ours["id_str"])
    stranger = server.mention(NEIGHBOUR_ID, "Me too, on Oak.", to=OUR_ID, in_reply_to=ours["id_str"])
    receive(server, x_account, server.activity(OUR_ID, [again, stranger]))  # one delivery, two events
    case = Message.objects.get(provider_message_id=first["id_str"]).case
    assert Message.objects.get(provider_message_id=again["id_str"]).case == case
    assert Message.objects.get(provider_message_id=stranger["id_str"]).case != case
    assert Case.objects.count() == 2


def test_a_direct_message_becomes_a_private_conversation(server: XServer, x_account: ChannelAccount) -> None:
    receive(server, x_account, server.direct_message(RESIDENT_ID, "My bin was not collected.", to=OUR_ID))
    conversation = Conversation.objects.get(account=x_account)
    assert (conversation.visibility, conversation.thread_key) == (Visibility.PRIVATE, f"dm:{RESIDENT_ID}")
    assert Message.objects.get(direction=Direction.INBOUND).body_text == "My bin was not collected."


def test_our_own_posts_and_messages_echoed_by_x_are_ignored(server: XServer, x_account: ChannelAccount) -> None:
    own = server.direct_message(OUR_ID, "We opened a request.", to=RESIDENT_ID)
    payload = receive(server, x_account, {**own, "for_user_id": OUR_ID})
    assert payload is not None and payload.status == PayloadStatus.IGNORED
    other = server.activity("2244994945", [server.mention(RESIDENT_ID, "hi", to=OUR_ID)])
    payload = receive(server, x_account, other)  # another subscribed account's event on our hook
    assert payload is not None and payload.status == PayloadStatus.IGNORED
    assert not Message.objects.exists()


def test_the_same_delivery_twice_is_stored_once(server: XServer, x_account: ChannelAccount) -> None:
    body = server.activity(OUR_ID, [server.mention(RESIDENT_ID, "Graffiti on the bridge.", to=OUR_ID)])
    receive(server, x_account, body)
    assert receive(server, x_account, body) is None  # the retry is the stored payload: nothing new
    assert InboundPayload.objects.count() == 1 and Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_a_deleted_post_is_removed_from_view(server: XServer, x_account: ChannelAccount) -> None:
    post = server.mention(RESIDENT_ID, "My address is 12 Elm St.", to=OUR_ID)
    receive(server, x_account, server.activity(OUR_ID, [post]))
    receive(server, x_account, server.deletion(OUR_ID, post["id_str"]))
    message = Message.objects.get(provider_message_id=post["id_str"])
    assert message.deleted_by_author_at is not None and message.body_text == "" and message.visible_text == ""


@pytest.mark.parametrize("change", ["connector_off", "unconfirmed", "disabled"])
def test_x_webhooks_answer_not_found_without_the_connector_and_a_confirmed_contract(
        change: str, server: XServer, x_account: ChannelAccount, settings: Any) -> None:
    if change == "connector_off":
        settings.X_CONNECTOR_ENABLED = False
    elif change == "unconfirmed":
        ChannelAccount.objects.filter(pk=x_account.pk).update(contract_confirmed_at=None)
    else:
        ChannelAccount.objects.filter(pk=x_account.pk).update(is_active=False)
    body = server.activity(OUR_ID, [server.mention(RESIDENT_ID, "Hello", to=OUR_ID)])
    assert server.deliver(body, url=hook_url(x_account))[0] == 404
    assert Client().get(f"/hooks/x/{x_account.pk}/", {"crc_token": "abc"}).status_code == 404
    assert not InboundPayload.objects.exists()


def test_the_signature_header_is_the_documented_one() -> None:
    assert SIGNATURE_HEADER == "x-twitter-webhooks-signature" and CONSUMER_SECRET
