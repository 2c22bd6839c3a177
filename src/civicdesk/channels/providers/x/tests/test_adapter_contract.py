"""The X adapter on the contract harness: X's documented payloads (Account Activity and X Activity) signed as X signs
them verify, a forged or tampered one does not, each parses to its expected events, and each is stored and applied
once however often it arrives (a replay, a retry, the same post inside a batch)."""

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.events import InboundMessage
from civicdesk.channels.models import Channel
from civicdesk.channels.providers.x.adapter import XAdapter, event_digest
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once, tampered
from civicdesk.conversations.pipeline import event_hash, process, replay

X = FixtureDir(Path(__file__).parent / "fixtures")
MAKES_A_CASE = ("aaa_mention", "aaa_reply_to_our_post", "aaa_direct_message", "xaa_mention", "xaa_reply",
                "xaa_dm_received")


@pytest.mark.parametrize("name", X.names())
def test_each_x_payload_verifies_as_signed_and_parses_to_its_expected_events(name: str) -> None:
    check_adapter(XAdapter(), X.load(name))


@pytest.mark.parametrize("name", [n for n in X.names() if X.load(n).verifies])
def test_each_genuine_payload_is_refused_tampered_or_with_another_secret(name: str) -> None:
    fixture = X.load(name)
    adapter = XAdapter()
    assert not adapter.verify(fixture.url, fixture.headers, tampered(fixture.body), fixture.config)
    assert not adapter.verify(fixture.url, fixture.headers, fixture.body, {"credentials": {}})
    assert not adapter.verify(fixture.url, fixture.headers, fixture.body,
                              {"credentials": {"consumer_secret": "another-secret-0123456789"}})
    assert not adapter.verify(fixture.url, {}, fixture.body, fixture.config)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in X.names() if X.load(n).verifies and n != "not_json"])
def test_each_x_payload_stored_twice_and_replayed_makes_at_most_one_message(name: str, x_account: Any) -> None:
    cases, messages = check_processed_once(Channel.X, X.load(name), process=process, replay=replay)
    assert (cases, messages) == ((1, 1) if name in MAKES_A_CASE else (2, 2) if name == "aaa_batch" else (0, 0))


@pytest.mark.django_db
def test_a_post_received_alone_and_again_inside_a_batch_is_one_message(x_account: Any) -> None:
    batch = X.load("aaa_batch")  # two posts, the first one twice
    doc = json.loads(batch.body)
    alone = dataclasses.replace(batch, name="first_post_alone", body=json.dumps(
        {**doc, "tweet_create_events": doc["tweet_create_events"][:1]}).encode())
    check_processed_once(Channel.X, alone, process=process)
    check_processed_once(Channel.X, batch, process=process)
    inbound = Message.objects.filter(channel=Channel.X, direction=Direction.INBOUND)
    assert inbound.filter(provider_message_id="954492030116155402").count() == 1
    assert inbound.count() == 2


@pytest.mark.parametrize("name", ["aaa_mention", "aaa_direct_message", "xaa_mention"])
def test_a_single_message_payload_hashes_as_the_pipeline_hashes_that_message_in_a_batch(name: str) -> None:
    fixture = X.load(name)
    adapter = XAdapter()
    [event] = adapter.parse(fixture.body, fixture.meta)
    assert isinstance(event, InboundMessage)
    assert event_digest(event) == event_hash(event) == adapter.content_hash(fixture.body, fixture.meta)


def test_the_contract_fixtures_come_from_x_documented_examples() -> None:
    dm: Any = X.load("aaa_direct_message").body.decode()
    assert '"id": "954491830116155396"' in dm and '"screen_name": "furiouscamper"' in dm  # X's own example
    assert '"event_type": "post.mention.create"' in X.load("xaa_mention").body.decode()


def test_x_senders_are_identities_of_the_contacts_x_kind() -> None:
    from civicdesk.channels.providers.x.parsing import X_IDENTITY
    from civicdesk.contacts.models import IdentityKind

    assert X_IDENTITY == IdentityKind.X
