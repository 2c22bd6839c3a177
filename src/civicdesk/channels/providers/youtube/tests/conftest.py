"""Fixtures of the YouTube tests: the local YouTube Data API server, an agency's channel account on it."""

from collections.abc import Iterator
from typing import Any

import pytest

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.youtube import client
from civicdesk.channels.providers.youtube.tests.server import (
    API_KEY,
    CLIENT_ID,
    CLIENT_SECRET,
    OUR_CHANNEL,
    REFRESH_TOKEN,
    YouTubeServer,
)
from civicdesk.testing.factories import create_agency


@pytest.fixture
def youtube_server(settings: Any) -> Iterator[YouTubeServer]:
    server = YouTubeServer()
    url = server.start()
    settings.YOUTUBE_API_BASE_URL = url
    settings.YOUTUBE_TOKEN_URI = f"{url}/token"
    settings.SOCIAL_POLL_SECONDS = 0  # the tests poll back to back (a real poll waits at least half an interval)
    client.forget_tokens()
    yield server
    server.stop()
    client.forget_tokens()


@pytest.fixture
def account(db: Any) -> ChannelAccount:
    account = ChannelAccount(channel=Channel.YOUTUBE, provider=Provider.YOUTUBE, address=OUR_CHANNEL,
                             agency=create_agency("parks", "Parks and Recreation"), display_name="Riverbend on YouTube")
    account.set_credentials({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                             "refresh_token": REFRESH_TOKEN, "api_key": API_KEY})
    account.save()
    return account
