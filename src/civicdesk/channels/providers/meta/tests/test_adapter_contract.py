"""The Meta adapters on the contract harness: requests shaped as Meta documents them (Messenger, Page feed comments,
Instagram) verify or are refused, parse to their expected events, and are stored and applied once."""

from pathlib import Path
from typing import Any

import pytest

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.meta.adapter import InstagramAdapter, MetaAdapter
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once, tampered
from civicdesk.conversations.pipeline import process, replay
from civicdesk.testing.factories import create_agency

META = FixtureDir(Path(__file__).parent / "fixtures")
ACCOUNT_ID = 7  # the account the fixtures were signed for (/hooks/meta/7/)
# (cases, inbound messages) each genuine fixture makes on an empty database
EXPECTED = {"messenger_text_message": (1, 1), "messenger_image_attachment": (1, 1),
            "messenger_batch_two_pages_entries": (3, 3), "page_comment_reply_in_thread": (1, 1),
            "instagram_message": (1, 1), "instagram_comment": (1, 1)}


def adapter_for(name: str) -> MetaAdapter:
    return InstagramAdapter() if name.startswith("instagram") else MetaAdapter()


@pytest.mark.parametrize("name", META.names())
def test_each_meta_request_verifies_as_signed_and_parses_to_its_expected_events(name: str) -> None:
    check_adapter(adapter_for(name), META.load(name))


@pytest.mark.parametrize("name", [n for n in META.names() if META.load(n).verifies])
def test_each_genuine_request_is_refused_with_a_tampered_body_or_without_the_app_secret(name: str) -> None:
    fixture = META.load(name)
    adapter = adapter_for(name)
    assert not adapter.verify(fixture.url, fixture.headers, tampered(fixture.body), fixture.config)
    assert not adapter.verify(fixture.url, fixture.headers, fixture.body, {"credentials": {}})
    assert adapter.verify(fixture.url + "?other=1", fixture.headers, fixture.body, fixture.config)  # URL not signed


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in META.names() if META.load(n).verifies and n != "not_json"])
def test_each_meta_request_stored_twice_and_replayed_makes_at_most_one_message(name: str, settings: Any) -> None:
    channel = Channel.INSTAGRAM if name.startswith("instagram") else Channel.FACEBOOK
    ChannelAccount.objects.create(pk=ACCOUNT_ID, channel=channel, provider=Provider.META,
                                  address="178400000000001" if channel == Channel.INSTAGRAM else "104000000000001",
                                  agency=create_agency("streets", "Streets"))
    cases, messages = check_processed_once(channel, META.load(name), process=process, replay=replay)
    assert (cases, messages) == EXPECTED.get(name, (0, 0))
