"""Agents' replies on a YouTube case are comment replies to the thread's top-level comment (comments.insert through
google-api-python-client against the local server), paid from the account's quota."""

from typing import Any

import pytest

from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError
from civicdesk.channels.providers.youtube import quota
from civicdesk.channels.providers.youtube.adapter import YouTubeAdapter
from civicdesk.channels.providers.youtube.tests.server import OUR_CHANNEL, YouTubeServer
from civicdesk.channels.providers.youtube.tests.test_polling import poll_and_process
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations import replies
from civicdesk.conversations.tasks import deliver_message
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db


def test_the_agents_reply_is_inserted_with_the_threads_comment_as_parent(youtube_server: YouTubeServer,
                                                                         account: ChannelAccount) -> None:
    thread = youtube_server.add_comment("The drinking fountain at Oak Park is dry.")
    youtube_server.add_reply(thread, "Still dry today.")
    poll_and_process(account)
    case = Case.objects.get()
    used_before = quota.units_left(account.pk)
    reply = replies.reply(case, author=create_staff("agent", agencies=[case.agency]), text="A crew is on its way.")
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    [inserted] = [call for call in youtube_server.calls_to("/comments") if call[2] is not None]
    assert inserted[1]["part"] == ["snippet"]
    assert inserted[2] == {"snippet": {"parentId": thread, "textOriginal": "A crew is on its way."}}
    posted = [r for r in youtube_server.replies_of(thread) if r["snippet"]["authorChannelId"]["value"] == OUR_CHANNEL]
    assert [r["id"] for r in posted] == [reply.provider_message_id]
    assert used_before - quota.units_left(account.pk) == 50
    account.refresh_from_db()
    assert poll_and_process(account) == 0  # our own reply is not a new message on the next poll
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 2


def test_a_new_comment_gets_no_automatic_public_reply(youtube_server: YouTubeServer,
                                                      account: ChannelAccount) -> None:
    """A public acknowledgement under every comment would name each case in public and cost 50 units each."""
    thread = youtube_server.add_comment("Graffiti on the library wall.")
    poll_and_process(account)
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert youtube_server.replies_of(thread) == []


def test_a_reply_to_a_deleted_comment_fails_in_plain_words(youtube_server: YouTubeServer,
                                                           account: ChannelAccount) -> None:
    message = OutboundMessage(to="UCresidentMaria000000001", sender=OUR_CHANNEL, text="Thanks!",
                              conversation_key="UgzNoSuchComment000000004AaABAg")
    with pytest.raises(PermanentSendError, match=r"no longer exists .*\(YouTube: commentNotFound\)"):
        YouTubeAdapter().send(message, AccountConfig.of(account))


def test_an_account_with_only_an_api_key_reads_but_cannot_reply(youtube_server: YouTubeServer,
                                                                account: ChannelAccount) -> None:
    account.set_credentials({"api_key": account.credentials()["api_key"]})
    account.save()
    youtube_server.add_comment("Can you fix the bench?")
    assert poll_and_process(account) == 1
    message = OutboundMessage(to="x", sender=OUR_CHANNEL, text="Yes.", conversation_key=Case.objects.get().number)
    with pytest.raises(PermanentSendError, match="OAuth"):
        YouTubeAdapter().send(message, AccountConfig.of(account))


def test_a_refused_refresh_token_is_final_and_says_to_connect_again(youtube_server: YouTubeServer,
                                                                    account: ChannelAccount, settings: Any) -> None:
    values = account.credentials()
    account.set_credentials({**values, "refresh_token": "1//revoked-token"})
    account.save()
    message = OutboundMessage(to="x", sender=OUR_CHANNEL, text="Hello", conversation_key="UgzAnything0000004AaABAg")
    with pytest.raises(PermanentSendError, match="connect the channel again"):
        YouTubeAdapter().send(message, AccountConfig.of(account))
