"""The Bluesky adapter on the contract harness, over payloads shaped as listNotifications, getPosts and
chat.bsky.convo.getLog answer (the lexicons' documented fields; a mention as the local AppView gave it): each parses
to its expected events, a batch to one event each, a deletion and a rewrite to author edits, and each payload stored
twice and replayed makes at most one message. Nothing is pushed to us, so nothing is signed: a request to the
webhook entry for a Bluesky account is refused (the forged-signature case of a network that is polled)."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicdesk.cases.models import Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload
from civicdesk.channels.providers.bluesky.adapter import BlueskyAdapter
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once, store
from civicdesk.conversations.pipeline import process, replay

BLUESKY = FixtureDir(Path(__file__).parent / "fixtures")
MAKES_A_CASE = {"mention", "reply_to_our_announcement", "reply_in_the_residents_own_thread", "quote_of_our_post",
                "chat_message", "batch_of_two_mentions"}


@pytest.mark.parametrize("name", BLUESKY.names())
def test_each_bluesky_payload_parses_to_its_expected_events(name: str) -> None:
    check_adapter(BlueskyAdapter(), BLUESKY.load(name))


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in BLUESKY.names() if not n.startswith(("not_json", "notification_without"))])
def test_each_payload_stored_twice_and_replayed_makes_at_most_one_message(
        name: str, fixture_account: ChannelAccount) -> None:
    cases, messages = check_processed_once(Channel.BLUESKY, BLUESKY.load(name), process=process, replay=replay)
    expected = 2 if name.startswith("batch") else 1 if name in MAKES_A_CASE else 0
    assert messages == expected


@pytest.mark.django_db
def test_a_deletion_after_the_mention_empties_our_copy_and_keeps_a_stub(fixture_account: ChannelAccount) -> None:
    process(store(Channel.BLUESKY, BLUESKY.load("mention"))[0])
    process(store(Channel.BLUESKY, BLUESKY.load("post_deleted_by_its_author"))[0])
    message = Message.objects.get(provider_message_id__endswith="/3mfxq2sz7ck2a")
    assert message.deleted_by_author_at is not None
    assert message.body_text == "" and message.visible_text == ""


@pytest.mark.django_db
def test_a_rewritten_post_replaces_our_copy(fixture_account: ChannelAccount) -> None:
    process(store(Channel.BLUESKY, BLUESKY.load("mention"))[0])
    process(store(Channel.BLUESKY, BLUESKY.load("post_rewritten_by_its_author"))[0])
    message = Message.objects.get(provider_message_id__endswith="/3mfxq2sz7ck2a")
    assert message.body_text.endswith("(fixed the corner)")


@pytest.mark.django_db
def test_a_refetched_notification_with_a_new_handle_and_read_flag_is_the_same_payload(
        fixture_account: ChannelAccount) -> None:
    fixture = BLUESKY.load("mention")
    adapter = BlueskyAdapter()
    changed = fixture.body.replace(b'"isRead": false', b'"isRead": true').replace(
        b'"handle": "maria.riverbend.example"', b'"handle": "maria-g.riverbend.example"')
    assert changed != fixture.body
    assert adapter.content_hash(changed, {}) == adapter.content_hash(fixture.body, {})
    assert adapter.provider_message_id(changed, {}) == adapter.provider_message_id(fixture.body, {})


@pytest.mark.django_db
def test_the_webhook_entry_refuses_anything_posted_for_a_polled_account(fixture_account: ChannelAccount) -> None:
    body = BLUESKY.load("mention").body
    response = Client().post(f"/hooks/bluesky/{fixture_account.pk}/", data=body, content_type="application/json")
    assert response.status_code == 404
    assert not InboundPayload.objects.exists()


def test_quarantined_payloads_say_why(settings: Any) -> None:
    assert check_adapter(BlueskyAdapter(), BLUESKY.load("not_json"))["raises"] == "ParseError"
