"""Fixtures of the Twilio tests: an agency with a Twilio number, its signing sender, captured or database jobs."""

from typing import Any

import pytest
from django.test import Client

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.twilio.sender import TEST_ACCOUNT_SID, TwilioSender
from civicdesk.core import jobs
from civicdesk.testing.factories import create_agency

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SHARED_KEY = "test-shared-key-for-sha256-webhooks"
SHARED_KEY_ID = "webhooks_sharedkey_test"
OUR_NUMBER = "+12025550100"
RESIDENT = "+12025550143"


@pytest.fixture
def database_tasks(settings: Any, tmp_path: Any) -> None:
    """Jobs in the database and texts through the payload table, as `civicdesk run` has them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(settings.TASK_QUEUES)}}
    settings.INBOUND_BATCH_WORKER = True
    settings.INBOUND_SPOOL = "off"  # the table as the queue, as on PostgreSQL (test_inbound_spool.py: the spool)
    # the account cache's change marker of this test alone: a test in another process that saves an account
    # (the suite's processes share one VAR_DIR) would make this one read its account again mid-count
    settings.VAR_DIR = tmp_path


@pytest.fixture
def twilio_adapters(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS,
                                 "sms": "civicdesk.channels.providers.twilio.adapter.TwilioAdapter"}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS,
                                  "twilio": "civicdesk.channels.providers.twilio.adapter.TwilioAdapter"}
    settings.SITE_URL = "https://311.riverbend.example"


@pytest.fixture
def account(db: Any, twilio_adapters: None) -> ChannelAccount:
    account = ChannelAccount(channel=Channel.SMS, provider=Provider.TWILIO, address=OUR_NUMBER,
                             agency=create_agency("streets", "Streets"), display_name="Riverbend 311 texts")
    account.set_credentials({"account_sid": TEST_ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                             "webhook_key": SHARED_KEY, "webhook_key_id": SHARED_KEY_ID})
    account.save()
    return account


@pytest.fixture
def sender() -> TwilioSender:
    return TwilioSender(auth_token=AUTH_TOKEN)


@pytest.fixture
def shared_key_sender() -> TwilioSender:
    return TwilioSender(auth_token=AUTH_TOKEN, shared_key=SHARED_KEY, shared_key_id=SHARED_KEY_ID)


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(jobs, "enqueue", lambda path, *args, **kwargs: calls.append((path, *args)))
    return calls


@pytest.fixture
def client() -> Client:
    return Client()
