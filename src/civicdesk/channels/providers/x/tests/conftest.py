"""Fixtures of the X tests: the connector on, an agency's X account with its Enterprise contract confirmed, and the
local X server (tests/x_server.py) that speaks X's documented endpoints and signs its webhooks like X."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.x.tests.x_server import XServer, django_transport
from civicdesk.testing.factories import create_agency

CONSUMER_SECRET = "test-consumer-secret-0123456789abcdef"
ACCESS_TOKEN = "test-user-access-token-0123456789"
OUR_ID = "4337869213"  # the agency's X account in X's own Account Activity examples
OUR_HANDLE = "Harris_0ff"
ADAPTER = "civicdesk.channels.providers.x.adapter.XAdapter"


@pytest.fixture
def x_enabled(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "x": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "x": ADAPTER}
    settings.X_CONNECTOR_ENABLED = True
    settings.SITE_URL = "https://311.riverbend.example"


@pytest.fixture
def x_account(db: Any, x_enabled: None) -> ChannelAccount:
    account = ChannelAccount(channel=Channel.X, provider=Provider.X, address=OUR_ID, display_name=f"@{OUR_HANDLE}",
                             agency=create_agency("streets", "Streets"), contract_confirmed_at=timezone.now(),
                             contract_confirmed_by="admin")
    account.set_credentials({"consumer_secret": CONSUMER_SECRET, "access_token": ACCESS_TOKEN})
    account.save()
    return account


@pytest.fixture
def x_server(x_account: ChannelAccount, settings: Any) -> Iterator[XServer]:
    """The local X server, its users the agency's account and its tokens ours; webhooks go in through Django's
    test client (the browser walk uses real HTTP to the live server instead)."""
    server = XServer(consumer_secret=CONSUMER_SECRET, transport=django_transport())
    server.add_user(OUR_ID, OUR_HANDLE, "Riverbend Streets", token=ACCESS_TOKEN)
    server.start()
    settings.X_API_BASE_URL = server.base_url
    yield server
    server.stop()
