"""Fixtures of the conversation tests: an SMS channel adapter for tests."""

import pytest


@pytest.fixture(autouse=True)
def sms_channel(settings):
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS,
                                 "sms": "civicdesk.conversations.tests.inbound.TestSmsAdapter"}
