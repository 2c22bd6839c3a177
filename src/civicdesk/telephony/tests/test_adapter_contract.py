"""Twilio's voice callbacks on the contract harness: each signed fixture (the <Record> action, recording status
callbacks, transcriptions, a forged one, garbage) verifies or is refused, parses to its expected events, and stored
twice and replayed makes at most one message."""

from pathlib import Path

import pytest

from civicdesk.cases.models import Case
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.providers.twilio.voice import VoiceAdapter
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once
from civicdesk.conversations.pipeline import process, replay
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
VOICE = FixtureDir(Path(__file__).parent / "voice_fixtures")


@pytest.mark.parametrize("name", VOICE.names())
def test_each_voice_callback_verifies_and_parses_to_its_expected_events(name: str) -> None:
    check_adapter(VoiceAdapter(), VOICE.load(name))


@pytest.mark.parametrize("name", VOICE.names())
def test_each_voice_callback_stored_twice_and_replayed_makes_at_most_one_message(name: str) -> None:
    agency = create_agency("water")
    ChannelAccount.objects.create(pk=7, channel="sms", provider="twilio", agency=agency, address="+12155550199")
    fixture = VOICE.load(name)
    cases, messages = check_processed_once(Channel.PHONE, fixture, process=process, replay=replay)
    makes_message = name in ("record_action", "record_action_forged", "transcription_completed",
                             "transcription_failed")  # the forged one is refused by the view, never stored
    assert (cases, messages) == ((1, 1) if makes_message else (0, 0))
    if makes_message:
        assert Case.objects.get().agency == agency
