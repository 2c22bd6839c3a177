"""The Mastodon adapter on the contract harness, over payloads shaped as Mastodon documents its entities (Notification,
Status, Account) and streaming events: each parses to its expected events, is stored and applied once (a replay
or the poll's copy of a streamed event makes nothing new), and an edit or a deletion follows the author.

A pulled network has no webhook signature to forge: we fetch over TLS with our own bearer token, so the adapter
has no verify() and the harness's verification check does not apply (asserted below). A "batch" is a poll's page
of notifications: each is stored as its own payload (see test_against_mastodon_mock and test_streaming)."""

from pathlib import Path
from typing import Any

import pytest

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider
from civicdesk.channels.providers.mastodon.adapter import MastodonAdapter
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once, check_verification, store
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.pipeline import process, replay
from civicdesk.testing.factories import create_agency

MASTODON = FixtureDir(Path(__file__).parent / "fixtures")
ACCOUNT_ID = 7  # the account the fixtures' meta names
MESSAGES = ("mention_public", "direct_message", "reply_in_thread", "mention_with_photo_and_warning")


@pytest.fixture
def fixture_account(db: Any) -> ChannelAccount:
    return ChannelAccount.objects.create(pk=ACCOUNT_ID, channel=Channel.MASTODON, provider=Provider.MASTODON,
                                         address="riverbend311@mastodon.riverbend.example",
                                         agency=create_agency("public-works", "Public Works"))


@pytest.mark.parametrize("name", MASTODON.names())
def test_each_documented_mastodon_event_parses_to_its_expected_events(name: str) -> None:
    check_adapter(MastodonAdapter(), MASTODON.load(name))


def test_a_pulled_network_has_no_signature_to_verify() -> None:
    assert not check_verification(MastodonAdapter(), MASTODON.load("mention_public"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in MASTODON.names() if n not in ("not_json", "mention_without_status")])
def test_each_event_stored_twice_and_replayed_makes_at_most_one_message(
        name: str, fixture_account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cases, messages = check_processed_once(Channel.MASTODON, MASTODON.load(name), process=process,
                                               replay=replay)
    assert (cases, messages) == ((1, 1) if name in MESSAGES else (0, 0))


@pytest.mark.django_db
def test_a_public_mention_and_a_dm_become_conversations_of_their_own_visibility(
        fixture_account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("mention_public", "direct_message"):
            process(store(Channel.MASTODON, MASTODON.load(name))[0])
    talks = dict(Conversation.objects.values_list("thread_key", "visibility"))
    assert talks == {"thread-109348591300000001/account-109348591234567890": "public",
                     "thread-109348591300000002/account-109348591234567890": "private"}
    message = Message.objects.get(provider_message_id="109348591300000002")
    assert message.visible_text == "My recycling was missed at 14 Oak Ave\nCan someone come back?"
    assert message.sender_identity.value == "@https://neighbours.example/users/alice"
    assert message.case.contact.display_name == "Alice Walker"


@pytest.mark.django_db
def test_a_reply_in_the_thread_continues_the_dm_conversation_and_its_case(
        fixture_account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("direct_message", "reply_in_thread"):
            process(store(Channel.MASTODON, MASTODON.load(name))[0])
    assert Case.objects.count() == 1 and Conversation.objects.count() == 1
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 2


@pytest.mark.django_db
def test_an_edit_replaces_our_copy_and_a_deletion_leaves_an_audit_stub(
        fixture_account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("mention_public", "direct_message", "status_update_stream", "delete_stream"):
            process(store(Channel.MASTODON, MASTODON.load(name))[0])
    edited = Message.objects.get(provider_message_id="109348591300000001")
    assert edited.body_text.endswith("out since Monday evening.")
    deleted = Message.objects.get(provider_message_id="109348591300000002")
    assert (deleted.body_text, deleted.visible_text) == ("", "")
    assert deleted.deleted_by_author_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        later = process(store(Channel.MASTODON, MASTODON.load("update_notification"))[0])
    assert later.outcomes == ["applied"]
    edited.refresh_from_db()
    assert edited.body_text.endswith("out since Monday night.")


@pytest.mark.django_db
def test_an_edit_of_a_post_we_never_saw_is_ignored_and_kept_for_a_later_replay(
        fixture_account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = process(store(Channel.MASTODON, MASTODON.load("delete_stream"))[0])
    assert result.outcomes == ["ignored"]
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_unreadable_events_go_to_quarantine_and_show_on_the_accounts_health(
        fixture_account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("not_json", "mention_without_status"):
            process(store(Channel.MASTODON, MASTODON.load(name))[0])
    assert InboundPayload.objects.filter(status="quarantined").count() == 2
    assert not Case.objects.exists()
