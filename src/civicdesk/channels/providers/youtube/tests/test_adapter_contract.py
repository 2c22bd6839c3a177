"""The YouTube adapter on the contract harness: payloads shaped as the YouTube Data API documents them (and as the
poll stores them) parse to their expected events and are stored and applied once. YouTube does not push, so there is
no signature: a forged POST to the account's webhook address is refused before anything is stored."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider
from civicdesk.channels.providers.youtube.adapter import YouTubeAdapter
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once, check_verification, store
from civicdesk.conversations.pipeline import process, replay
from civicdesk.testing.factories import create_agency

YOUTUBE = FixtureDir(Path(__file__).parent / "fixtures")
ACCOUNT_ID = 7  # the account the fixtures' meta names
MESSAGES = {"comment_thread_new": 1, "comment_thread_with_replies": 2, "reply_by_resident": 1,
            "thread_page_batch": 2, "comment_thread_html_text": 1}


@pytest.fixture
def fixture_account(db: Any) -> ChannelAccount:
    return ChannelAccount.objects.create(pk=ACCOUNT_ID, channel=Channel.YOUTUBE, provider=Provider.YOUTUBE,
                                         address="UCriverbendCityHall00001", agency=create_agency("parks", "Parks"))


@pytest.mark.parametrize("name", YOUTUBE.names())
def test_each_youtube_payload_parses_to_its_expected_events(name: str) -> None:
    check_adapter(YouTubeAdapter(), YOUTUBE.load(name))


def test_a_polled_network_has_no_signature_to_check_and_a_forged_post_to_its_hook_is_refused(
        fixture_account: ChannelAccount) -> None:
    assert not check_verification(YouTubeAdapter(), YOUTUBE.load("comment_thread_new"))
    body = YOUTUBE.load("comment_thread_new").body
    response = Client().post(f"/hooks/youtube/{ACCOUNT_ID}/", data=body, content_type="application/json",
                             HTTP_X_HUB_SIGNATURE_256="sha256=" + "0" * 64)
    assert response.status_code == 404 and not InboundPayload.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in YOUTUBE.names() if n in MESSAGES])
def test_each_payload_stored_twice_and_replayed_makes_its_messages_once(name: str,
                                                                       fixture_account: ChannelAccount) -> None:
    cases, messages = check_processed_once(Channel.YOUTUBE, YOUTUBE.load(name), process=process, replay=replay)
    assert messages == MESSAGES[name]
    assert cases == (2 if name == "thread_page_batch" else 1)


@pytest.mark.django_db
def test_the_same_comment_fetched_again_with_more_likes_is_a_repeat_not_a_reused_id(
        fixture_account: ChannelAccount) -> None:
    fixture = YOUTUBE.load("comment_thread_new")
    first, _ = store(Channel.YOUTUBE, fixture)
    liked = fixture.body.replace(b'"likeCount": 2', b'"likeCount": 9')
    again, created = store(Channel.YOUTUBE, type(fixture)(**{**fixture.__dict__, "body": liked}))
    assert not created and again.pk == first.pk


@pytest.mark.django_db
def test_an_edit_then_a_deletion_by_the_author_update_then_empty_our_copy(fixture_account: ChannelAccount) -> None:
    for name in ("comment_thread_with_replies", "comment_edited", "comment_deleted"):
        payload, _ = store(Channel.YOUTUBE, YOUTUBE.load(name))
        process(payload)
    top = Message.objects.get(provider_message_id="Ugwz9cfAuwYlI_tTzYp4AaABAg")
    assert top.body_text == "The swings at Elm Park playground are broken."
    reply = Message.objects.get(provider_message_id__endswith=".9wM4aC3yU1e9wM4bA2Lq0H", direction=Direction.INBOUND)
    assert reply.body_text == "" and reply.deleted_by_author_at is not None
