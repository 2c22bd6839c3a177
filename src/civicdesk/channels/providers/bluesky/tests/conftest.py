"""Fixtures of the Bluesky tests: an agency's handle connected as account 7 (the account the fixtures name), and the
local AT Protocol network (defined here once, so every module of the session shares one)."""

from typing import Any

import pytest

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.bluesky.devenv import atproto_network  # noqa: F401 - one network per session
from civicdesk.testing.factories import create_agency

ACCOUNT_ID = 7
OUR_DID = "did:plc:c2h5n7wzq3rdxvfsg4k6pmly"
OUR_HANDLE = "city311.riverbend.example"


@pytest.fixture
def fixture_account(db: Any) -> ChannelAccount:
    account = ChannelAccount(pk=ACCOUNT_ID, channel=Channel.BLUESKY, provider=Provider.BLUESKY, address=OUR_HANDLE,
                             agency=create_agency("public-works", "Public Works"), cursor={"did": OUR_DID})
    account.set_credentials({"app_password": "abcd-efgh-ijkl-mnop", "service": "http://127.0.0.1:9"})
    account.save()
    return account
