"""Fixtures of the Meta tests: a page and an Instagram account of one agency, the local Graph server, a signed
webhook poster."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider
from civicdesk.channels.providers.meta.tests.graph_server import GraphServer, webhook_headers
from civicdesk.testing.factories import create_agency

PAGE_ID = "104000000000001"
IG_ID = "178400000000001"
PAGE_TOKEN = "EAAtest-page-token-0123456789"
APP_SECRET = "test-app-secret-0123456789abcdef"
VERIFY_TOKEN = "riverbend-verify-token"
PSID = "6000000000000042"


@pytest.fixture
def meta_settings(settings: Any) -> Any:
    settings.SITE_URL = "https://311.riverbend.example"
    return settings


@pytest.fixture
def page(db: Any, meta_settings: Any) -> ChannelAccount:
    account = ChannelAccount(channel=Channel.FACEBOOK, provider=Provider.META, address=PAGE_ID,
                             agency=create_agency("streets", "Streets"), display_name="Riverbend 311")
    account.set_credentials({"page_token": PAGE_TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN})
    account.save()
    return account


@pytest.fixture
def instagram(page: ChannelAccount) -> ChannelAccount:
    account = ChannelAccount(channel=Channel.INSTAGRAM, provider=Provider.META, address=IG_ID, agency=page.agency,
                             display_name="@riverbend311")
    account.set_credentials({"page_token": PAGE_TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN})
    account.save()
    return account


@pytest.fixture
def graph(meta_settings: Any) -> Iterator[GraphServer]:
    server = GraphServer().start()
    server.add_owner(PAGE_ID, PAGE_TOKEN, APP_SECRET)
    server.add_owner(IG_ID, PAGE_TOKEN, APP_SECRET, instagram=True)
    meta_settings.META_GRAPH_URL = server.url
    yield server
    server.stop()


def post_webhook(client: Client, account: ChannelAccount, document: dict[str, Any] | bytes,
                 secret: str = APP_SECRET) -> Any:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in webhook_headers(secret, body).items()
               if k != "Content-Type"}
    return client.post(f"/hooks/meta/{account.pk}/", data=body, content_type="application/json", **headers)


def latest_payload() -> InboundPayload:
    found = InboundPayload.objects.order_by("-pk").first()
    assert found is not None
    return found
