"""Our Mastodon account against mastodon-mock, driven by Mastodon.py as the resident: mentions and DMs arrive by the
user stream and by the catch-up poll, become cases and conversations, edits and deletions follow the author, and
replies go back in the thread with the right visibility, a mention and an Idempotency-Key."""

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from mastodon import Mastodon
from mastodon_mock.testing.server import MockServer

from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels import limits
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.protocol import RateLimited
from civicdesk.channels.providers.mastodon import receiving
from civicdesk.channels.providers.mastodon.adapter import MastodonAdapter
from civicdesk.channels.providers.mastodon.tests.conftest import AGENCY_TOKEN, Stream, mock_config
from civicdesk.channels.registry import AccountConfig
from civicdesk.channels.tasks import poll_account
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.outbound import outbound_for, sending_account
from civicdesk.conversations.replies import reply
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db


def test_a_public_mention_on_the_stream_becomes_a_case_with_a_public_conversation(
        account: ChannelAccount, resident: Mastodon, stream: Stream, ingest: Callable[..., int]) -> None:
    posted = resident.status_post("@riverbend311 The streetlight on Elm St is out", visibility="public")
    [item] = stream.take(1)
    assert item.provider_message_id.startswith("notification:")
    assert ingest(account, [item]) == 1
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.provider_message_id == str(posted["id"])
    assert message.visible_text == "The streetlight on Elm St is out"
    conversation = Conversation.objects.get()
    assert (conversation.account_id, conversation.visibility) == (account.pk, Visibility.PUBLIC)
    assert conversation.thread_key == f"thread-{posted['id']}/account-{posted['account']['id']}"
    assert message.sender_identity.value == "@" + str(posted["account"]["uri"]).lower()


def test_a_direct_message_becomes_a_private_conversation_and_the_reply_is_a_direct_mention_in_its_thread(
        account: ChannelAccount, resident: Mastodon, stream: Stream, ingest: Callable[..., int],
        django_capture_on_commit_callbacks: Any) -> None:
    dm = resident.status_post("@riverbend311 Missed trash pickup at 12 Oak Ave", visibility="direct")
    ingest(account, stream.take(1))
    case = Case.objects.get()
    assert Conversation.objects.get().visibility == Visibility.PRIVATE
    agent = create_staff("wanda", agencies=[account.agency])
    with django_capture_on_commit_callbacks(execute=True):
        sent = reply(case, author=agent, text="A crew comes tomorrow morning.")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT
    ours = resident.status(sent.provider_message_id)
    assert str(ours["in_reply_to_id"]) == str(dm["id"])
    assert ours["visibility"] == "direct"
    assert "@alice" in ours["content"] and "A crew comes tomorrow morning." in ours["content"]
    replies = resident.status_context(dm["id"])["descendants"]  # the acknowledgement is there too
    assert [str(s["id"]) for s in replies].count(sent.provider_message_id) == 1


def test_a_public_mention_is_answered_in_public_in_its_thread_and_a_retry_posts_once(
        account: ChannelAccount, resident: Mastodon, stream: Stream, ingest: Callable[..., int]) -> None:
    posted = resident.status_post("@riverbend311 pothole at 5th and Main", visibility="public")
    ingest(account, stream.take(1))
    case = Case.objects.get()
    agent = create_staff("wanda", agencies=[account.agency])
    adapter, config = MastodonAdapter(), AccountConfig.of(account)
    public = reply(case, author=agent, text="Thanks, logged.", public=True)
    outbound = outbound_for(public, sending_account(public))
    assert (outbound.in_reply_to, outbound.visibility) == (str(posted["id"]), Visibility.PUBLIC)
    first, again = adapter.send(outbound, config), adapter.send(outbound, config)  # a retry after a lost answer
    assert first == again
    ours = resident.status(first)
    assert (ours["visibility"], str(ours["in_reply_to_id"])) == ("public", str(posted["id"]))
    thread = resident.status_context(posted["id"])["descendants"]
    assert [str(s["id"]) for s in thread].count(first) == 1
    plain = reply(case, author=agent, text="Can you send a photo?")  # a reply keeps the visibility it answers
    outbound = outbound_for(plain, sending_account(plain))
    assert outbound.visibility == Visibility.PUBLIC
    ours = resident.status(adapter.send(outbound, config))
    assert (ours["visibility"], str(ours["in_reply_to_id"])) == ("public", str(posted["id"]))
    assert "@alice" in ours["content"]


def test_an_edit_and_a_deletion_by_the_author_follow_on_our_copy(
        account: ChannelAccount, resident: Mastodon, stream: Stream, ingest: Callable[..., int]) -> None:
    posted = resident.status_post("@riverbend311 graffiti on the bridge", visibility="public")
    ingest(account, stream.take(1))
    resident.status_update(posted["id"], "@riverbend311 graffiti on the north bridge")
    [edit] = stream.take(1)  # the home timeline's own "update" of it is not for us: not delivered
    assert edit.provider_message_id.startswith("edit:")
    ingest(account, [edit])
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.body_text == "graffiti on the north bridge"
    resident.status_delete(posted["id"])
    deletions = [item for item in stream.take(1) if item.provider_message_id.startswith("delete:")]
    ingest(account, deletions)
    message.refresh_from_db()
    assert message.deleted_by_author_at is not None and message.body_text == ""


def test_the_catch_up_poll_finds_what_the_gap_missed_page_by_page_and_moves_the_cursor(
        account: ChannelAccount, resident: Mastodon, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any) -> None:
    monkeypatch.setattr(receiving, "PAGE_LIMIT", 2)  # three pages of notifications, followed by Link rel="prev"
    first = resident.status_post("@riverbend311 first", visibility="public")
    account.cursor = {"min_id": "0"}
    account.save(update_fields=["cursor"])
    texts = [f"@riverbend311 report number {n}" for n in range(5)]
    for text in texts:
        resident.status_post(text, visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_account.call(account.pk) == 6
    account.refresh_from_db()
    newest = max(InboundPayload.objects.values_list("provider_message_id", flat=True),
                 key=lambda pid: receiving.id_order(pid.split(":")[1]))
    assert account.cursor["min_id"] == newest.split(":")[1]
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 6
    assert Message.objects.filter(provider_message_id=str(first["id"])).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_account.call(account.pk) == 0  # nothing new after the cursor


def test_a_mention_seen_by_the_stream_and_again_by_the_poll_is_one_message(
        account: ChannelAccount, resident: Mastodon, stream: Stream, ingest: Callable[..., int],
        django_capture_on_commit_callbacks: Any) -> None:
    resident.status_post("@riverbend311 broken bench in the park", visibility="public")
    ingest(account, stream.take(1))
    # its counters change before the poll sees it
    resident.status_favourite(Message.objects.get(direction=Direction.INBOUND).provider_message_id)
    account.cursor = {}
    account.save(update_fields=["cursor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_account.call(account.pk) == 0
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1
    assert not InboundPayload.objects.filter(reuses_provider_id=True).exists()


def test_a_reply_to_our_reply_continues_the_same_conversation_and_case(
        account: ChannelAccount, resident: Mastodon, stream: Stream, ingest: Callable[..., int],
        django_capture_on_commit_callbacks: Any) -> None:
    dm = resident.status_post("@riverbend311 water leak on Pine St", visibility="direct")
    ingest(account, stream.take(1))
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        ours = reply(case, author=create_staff("wanda", agencies=[account.agency]), text="Which number on Pine?")
    ours.refresh_from_db()
    resident.status_post("@riverbend311 number 40", in_reply_to_id=ours.provider_message_id, visibility="direct")
    [item] = stream.take(1)
    assert item.meta["thread_root"] == str(dm["id"])
    ingest(account, [item])
    assert Case.objects.count() == 1 and Conversation.objects.count() == 1
    assert case.messages.filter(direction=Direction.INBOUND).count() == 2


def test_rate_limit_headers_are_kept_on_the_account_and_a_429_pauses_it(db: Any, mastodon_adapters: None) -> None:
    with MockServer(config=mock_config(rate_limit=3)) as limited:
        account = ChannelAccount(channel="mastodon", provider="mastodon", address="riverbend311@127.0.0.1",
                                 agency=create_agency("parks", "Parks"))
        account.set_credentials({"api_base_url": limited.base_url, "access_token": AGENCY_TOKEN})
        account.save()
        config = AccountConfig.of(account)
        receiving.poll(config)
        account.refresh_from_db()
        assert (account.limits["limit"], account.limits["remaining"]) == (3, 2)
        assert "2 of 3 calls left (300 per 5 min)" in limits.describe(account)
        receiving.poll(config)
        receiving.poll(config)
        with pytest.raises(RateLimited) as refused:
            receiving.poll(config)
        assert 1 <= refused.value.retry_after <= 300
        assert poll_account.call(account.pk) == 0  # the job pauses the account instead of failing
        assert limits.paused_until(account.pk) is not None


def test_channels_add_mastodon_learns_our_account_and_starts_the_cursor_at_the_newest_notification(
        db: Any, server: MockServer, resident: Mastodon, mastodon_adapters: None) -> None:
    create_agency("public-works", "Public Works")
    resident.status_post("@riverbend311 an old mention, before we connected", visibility="public")
    out = StringIO()
    call_command("channels", "add", "mastodon", "--agency", "public-works", "--instance", server.base_url,
                 "--access-token", AGENCY_TOKEN, stdout=out)
    account = ChannelAccount.objects.get(provider="mastodon")
    assert account.address == "riverbend311@127.0.0.1"
    assert AGENCY_TOKEN not in account.encrypted_credentials and AGENCY_TOKEN not in out.getvalue()
    assert account.credentials()["access_token"] == AGENCY_TOKEN
    assert account.cursor["min_id"]
    assert receiving.poll(AccountConfig.of(account)).payloads == []  # history is not imported


def test_channels_add_mastodon_refuses_a_bad_token_in_words(db: Any, server: MockServer,
                                                           mastodon_adapters: None) -> None:
    from django.core.management.base import CommandError

    create_agency("public-works", "Public Works")
    with pytest.raises(CommandError, match="refused the access token"):
        call_command("channels", "add", "mastodon", "--agency", "public-works", "--instance", server.base_url,
                     "--access-token", "not-a-token", stdout=StringIO())


def test_simulate_mastodon_stores_a_mention_shaped_as_a_notification(
        account: ChannelAccount, django_capture_on_commit_callbacks: Any) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "simulate", "mastodon", "--account", str(account.pk), "--kind", "mention",
                     "--text", "Overflowing bin on Elm", stdout=out)
        call_command("channels", "simulate", "mastodon", "--account", str(account.pk), "--kind", "message",
                     "--text", "Private question about my bill", stdout=out)
    assert out.getvalue().count("stored") == 2
    visibilities = sorted(Conversation.objects.values_list("visibility", flat=True))
    assert visibilities == [Visibility.PRIVATE, Visibility.PUBLIC]
    assert Case.objects.filter(messages__visible_text="Overflowing bin on Elm").exists()


def test_channels_add_mastodon_can_keep_only_the_name_of_the_tokens_variable(
        db: Any, server: MockServer, mastodon_adapters: None, monkeypatch: pytest.MonkeyPatch) -> None:
    create_agency("public-works", "Public Works")
    monkeypatch.setenv("MASTODON_WORKS_ACCESS_TOKEN", AGENCY_TOKEN)
    out = StringIO()
    call_command("channels", "add", "mastodon", "--agency", "public-works", "--instance", server.base_url,
                 "--access-token-env", "MASTODON_WORKS_ACCESS_TOKEN", stdout=out)
    account = ChannelAccount.objects.get(provider="mastodon")
    assert account.credentials_ref == "env:MASTODON_WORKS"
    assert AGENCY_TOKEN not in account.encrypted_credentials and "MASTODON_WORKS_ACCESS_TOKEN" in out.getvalue()
    assert account.credentials()["access_token"] == AGENCY_TOKEN  # read from the environment at run time
