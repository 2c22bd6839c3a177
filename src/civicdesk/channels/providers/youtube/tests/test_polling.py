"""Polling the local YouTube Data API server with google-api-python-client: new comments become cases within one
polling interval, replies by the resident continue them, edits and deletions follow the author."""

from typing import Any

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels import tasks
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.providers.youtube.tests.server import YouTubeServer
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.pipeline import process

pytestmark = pytest.mark.django_db


def poll_and_process(account: ChannelAccount) -> int:
    """One run of the periodic poll job, then the processing jobs of what it stored."""
    stored = tasks.poll_account.call(account.pk)
    for payload in InboundPayload.objects.filter(status="received").order_by("pk"):
        process(payload)
    return stored


def test_a_new_comment_becomes_a_case_within_one_polling_interval(youtube_server: YouTubeServer,
                                                                  account: ChannelAccount) -> None:
    thread = youtube_server.add_comment("The playground swings at Elm Park are broken.")
    assert poll_and_process(account) == 1
    case = Case.objects.get()
    assert case.channel == "youtube" and case.agency.slug == "parks"
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.body_text == "The playground swings at Elm Park are broken."
    assert message.provider_message_id == thread
    assert message.sender_identity.kind == "youtube" and message.sender_identity.value == "UCresidentMaria000000001"
    conversation = Conversation.objects.get()
    assert (conversation.thread_key, conversation.visibility, conversation.account_id) == (thread, "public",
                                                                                            account.pk)
    account.refresh_from_db()
    assert account.cursor["watermark"] and thread in account.cursor["seen"]
    assert account.limits["quota_used"] >= 1 and account.limits["quota_timezone"] == "America/Los_Angeles"


def test_polling_again_stores_nothing_new_and_a_reply_continues_the_case(youtube_server: YouTubeServer,
                                                                         account: ChannelAccount) -> None:
    thread = youtube_server.add_comment("Streetlight out by the river trail.")
    poll_and_process(account)
    account.refresh_from_db()
    assert poll_and_process(account) == 0
    youtube_server.add_reply(thread, "It is the third light from the bridge.")
    account.refresh_from_db()
    assert poll_and_process(account) == 1
    case = Case.objects.get()
    assert [m.body_text for m in case.messages.filter(direction=Direction.INBOUND).order_by("pk")] == [
        "Streetlight out by the river trail.", "It is the third light from the bridge."]


def test_an_edit_and_a_deletion_by_the_author_are_followed(youtube_server: YouTubeServer, account: ChannelAccount,
                                                          settings: Any) -> None:
    settings.YOUTUBE_DELETION_CHECK_SECONDS = 0
    thread = youtube_server.add_comment("Pothole on Main St, call me at 555-0100.")
    poll_and_process(account)
    youtube_server.edit(thread, "Pothole on Main St.", at=timezone.now().strftime("%Y-%m-%dT%H:%M:%S.1Z"))
    account.refresh_from_db()
    poll_and_process(account)
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.body_text == "Pothole on Main St."
    youtube_server.delete(thread)
    account.refresh_from_db()
    poll_and_process(account)
    message.refresh_from_db()
    assert message.body_text == "" and message.deleted_by_author_at is not None


def test_paging_reads_every_new_thread_and_stops_at_what_was_seen(youtube_server: YouTubeServer,
                                                                  account: ChannelAccount) -> None:
    for number in range(150):
        youtube_server.add_comment(f"Comment {number}", at=f"2099-01-01T00:{number // 60:02d}:{number % 60:02d}Z")
    assert tasks.poll_account.call(account.pk) == 150
    lists = youtube_server.calls_to("/commentThreads")
    assert [call[1].get("pageToken") is not None for call in lists] == [False, True]
    assert all(call[1]["order"] == ["time"] and call[1]["maxResults"] == ["100"] for call in lists)


def test_replies_beyond_the_five_listed_are_fetched_once(youtube_server: YouTubeServer,
                                                         account: ChannelAccount) -> None:
    thread = youtube_server.add_comment("Flooding on River Road again.", at="2099-01-01T00:00:00Z")
    for number in range(7):
        youtube_server.add_reply(thread, f"Update {number}: still flooded.", at=f"2099-01-01T00:0{number + 1}:00Z")
    poll_and_process(account)
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 8
    assert Case.objects.count() == 1
    account.refresh_from_db()
    poll_and_process(account)
    by_parent = [call for call in youtube_server.calls_to("/comments") if "parentId" in call[1]]
    assert len(by_parent) == 1  # the count did not change: no second fetch
