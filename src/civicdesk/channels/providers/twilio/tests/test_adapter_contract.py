"""The Twilio adapter on the contract harness: signed requests (as Twilio documents them) verify or are refused,
parse to their expected events, and are stored and applied once."""

from pathlib import Path
from typing import Any

import pytest

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.twilio.adapter import TwilioAdapter
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once, check_verification, tampered
from civicdesk.conversations.pipeline import process, replay
from civicdesk.testing.factories import create_agency

TWILIO = FixtureDir(Path(__file__).parent / "fixtures")
ACCOUNT_ID = 7  # the account the fixtures were signed for (/hooks/twilio/7/)


@pytest.fixture
def fixture_account(db: Any, twilio_adapters: None) -> ChannelAccount:
    return ChannelAccount.objects.create(pk=ACCOUNT_ID, channel=Channel.SMS, provider=Provider.TWILIO,
                                         address="+12025550100", agency=create_agency("streets", "Streets"))


@pytest.mark.parametrize("name", TWILIO.names())
def test_each_twilio_request_verifies_as_signed_and_parses_to_its_expected_events(name: str) -> None:
    check_adapter(TwilioAdapter(), TWILIO.load(name))


@pytest.mark.parametrize("name", [n for n in TWILIO.names() if TWILIO.load(n).verifies])
def test_each_genuine_request_is_refused_with_a_tampered_body_or_without_credentials(name: str) -> None:
    fixture = TWILIO.load(name)
    adapter = TwilioAdapter()
    assert not adapter.verify(fixture.url, fixture.headers, tampered(fixture.body), fixture.config)
    assert not adapter.verify(fixture.url, fixture.headers, fixture.body, {"credentials": {}})
    assert not adapter.verify(fixture.url + "x", fixture.headers, fixture.body, fixture.config)
    assert check_verification(adapter, fixture)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in TWILIO.names() if TWILIO.load(n).verifies])
def test_each_twilio_request_stored_twice_and_replayed_makes_at_most_one_message(
        name: str, fixture_account: ChannelAccount) -> None:
    fixture = TWILIO.load(name)
    cases, messages = check_processed_once(Channel.SMS, fixture, process=process, replay=replay)
    expected = (1, 1) if name.startswith(("inbound", "sha256", "json_event_body")) else (0, 0)
    assert (cases, messages) == expected
