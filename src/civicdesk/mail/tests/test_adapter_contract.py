"""The email adapter on the contract harness: every .eml in tests/fixtures parses to its expected.json, once."""

from typing import Any

import pytest

from civicdesk.channels.testing import FixtureDir, check_adapter, check_processed_once
from civicdesk.conversations.pipeline import process, replay
from civicdesk.mail.adapter import EmailAdapter
from civicdesk.mail.tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db
EMAIL = FixtureDir(FIXTURES, body_suffix=".eml")  # the messy real-world mail, used in place: no copies


@pytest.mark.parametrize("name", EMAIL.names())
def test_each_email_fixture_verifies_and_parses_to_its_expected_events(name: str, mailbox: Any) -> None:
    check_adapter(EmailAdapter(), EMAIL.load(name))


@pytest.mark.parametrize("name", EMAIL.names())
def test_each_email_fixture_received_twice_and_replayed_is_one_payload_and_at_most_one_case(
        name: str, mailbox: Any) -> None:
    cases, messages = check_processed_once("email", EMAIL.load(name), process=process, replay=replay)
    assert cases <= 1 and messages <= 1
