"""The portal adapter on the contract harness: each JSON payload build_payload stores parses to its expected.json."""

from pathlib import Path
from typing import Any

import pytest

from civicdesk.channels.models import Channel
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once
from civicdesk.conversations.pipeline import process, replay
from civicdesk.portal.adapter import WebAdapter

PORTAL = FixtureDir(Path(__file__).parent / "adapter_fixtures")


@pytest.mark.parametrize("name", PORTAL.names())
def test_each_portal_payload_parses_to_its_expected_events(name: str) -> None:
    check_adapter(WebAdapter(), PORTAL.load(name))


@pytest.mark.django_db
@pytest.mark.parametrize("name", PORTAL.names())
def test_each_portal_payload_submitted_twice_and_replayed_makes_at_most_one_case(name: str, service: Any) -> None:
    cases, messages = check_processed_once(Channel.WEB, PORTAL.load(name), process=process, replay=replay)
    assert (cases, messages) == ((0, 0) if name in ("blank_description", "an_unknown_payload_version") else (1, 1))
