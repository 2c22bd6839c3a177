"""The Open311 adapter on the contract harness: stored request and update POST bodies parse to their expected.json."""

from pathlib import Path
from typing import Any

import pytest

from civicdesk.cases.models import Case
from civicdesk.channels.models import Channel
from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once
from civicdesk.conversations.pipeline import process, replay
from civicdesk.open311.adapter import Open311Adapter
from civicdesk.open311.parsing import decode_form, param

pytestmark = pytest.mark.django_db
OPEN311 = FixtureDir(Path(__file__).parent / "adapter_fixtures")
REQUEST = OPEN311.load("request_pothole_with_location_attribute_and_contact")


@pytest.mark.parametrize("name", OPEN311.names())
def test_each_open311_post_parses_to_its_expected_events(name: str, city: Any) -> None:
    check_adapter(Open311Adapter(), OPEN311.load(name))


@pytest.mark.parametrize("name", OPEN311.names())
def test_each_open311_post_stored_twice_and_replayed_makes_at_most_one_message(name: str, city: Any) -> None:
    fixture = OPEN311.load(name)
    request_id = param(decode_form(fixture.body, fixture.content_type).data, "service_request_id")
    if fixture.meta.get("kind") == "update" and request_id:  # an update comments on a request of ours
        check_processed_once(Channel.OPEN311, REQUEST, process=process)
        Case.objects.update(public_id=request_id)
    cases, messages = check_processed_once(Channel.OPEN311, fixture, process=process, replay=replay)
    expected = (0, 1) if fixture.meta.get("kind") == "update" else (1, 1)
    assert (cases, messages) == (expected if fixture.expected_path.read_text().startswith("[") else (0, 0))
