"""Fixtures of the Mastodon tests: mastodon-mock (a stateful mock of Mastodon's REST and streaming API) with our
agency's account and a resident, driven by Mastodon.py; our account connected to it; jobs captured on commit."""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import requests
from mastodon import Mastodon
from mastodon_mock.config import (
    DatabaseConfig,
    MastodonMockConfig,
    RateLimitConfig,
    SeedAccount,
    SeedConfig,
    SeedFollow,
    StreamingConfig,
)
from mastodon_mock.testing.server import MockServer

from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.mastodon import receiving
from civicdesk.channels.providers.mastodon.adapter import MastodonAdapter
from civicdesk.channels.pulling import PulledPayload, store_pulled
from civicdesk.channels.registry import AccountConfig
from civicdesk.testing.factories import create_agency

AGENCY_TOKEN = "riverbend311_token"  # tokens of the mock's seeded accounts, not real credentials
RESIDENT_TOKEN = "alice_token"
SEED = SeedConfig(
    accounts=[SeedAccount(username="riverbend311", display_name="Riverbend 311", access_token=AGENCY_TOKEN),
              SeedAccount(username="alice", display_name="Alice Walker", access_token=RESIDENT_TOKEN)],
    # On Mastodon a deletion reaches the accounts the status mentioned; mastodon-mock sends it to the author's
    # followers only, so our account follows the resident for the deletion tests.
    follows=[SeedFollow(follower="riverbend311", following="alice")],
)


def mock_config(*, rate_limit: int = 0) -> MastodonMockConfig:
    return MastodonMockConfig(database=DatabaseConfig(path=":memory:"), seed=SEED,
                              streaming=StreamingConfig(heartbeat_seconds=0.2),
                              ratelimit=RateLimitConfig(enabled=bool(rate_limit), limit=rate_limit or 300))


@pytest.fixture(scope="module")
def mastodon_server() -> Iterator[MockServer]:
    with MockServer(config=mock_config()) as server:
        yield server


@pytest.fixture
def server(mastodon_server: MockServer) -> MockServer:
    # MockServer.reset() needs httpx2, which mastodon-mock does not depend on: the same control-plane call by hand
    requests.post(f"{mastodon_server.base_url}/api/v1/_mock/reset", timeout=10).raise_for_status()
    return mastodon_server


@pytest.fixture
def resident(server: MockServer) -> Mastodon:
    """The resident's Mastodon.py client."""
    return server.client(token=RESIDENT_TOKEN)


@pytest.fixture
def agency_api(server: MockServer) -> Mastodon:
    return server.client(token=AGENCY_TOKEN)


@pytest.fixture
def mastodon_adapters(settings: Any) -> None:
    settings.SITE_URL = "https://311.riverbend.example"


@pytest.fixture
def account(db: Any, server: MockServer, agency_api: Mastodon, mastodon_adapters: None) -> ChannelAccount:
    """Our account on the mock, connected as `channels add mastodon` would (its id and acct from the server)."""
    me = agency_api.account_verify_credentials()
    host = server.base_url.split("//", 1)[1].split(":")[0]
    account = ChannelAccount(channel=Channel.MASTODON, provider=Provider.MASTODON, address=f"riverbend311@{host}",
                             agency=create_agency("public-works", "Public Works"), display_name="Riverbend 311")
    account.set_credentials({"api_base_url": server.base_url, "access_token": AGENCY_TOKEN,
                             "account_id": str(me["id"]), "acct": "riverbend311"})
    account.save()
    return account


@pytest.fixture
def ingest(django_capture_on_commit_callbacks: Any) -> Callable[[ChannelAccount, list[PulledPayload]], int]:
    """Store pulled payloads as the stream or a poll stores them, running the processing job on commit."""
    def run(account: ChannelAccount, items: list[PulledPayload], transport: str = "stream") -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return store_pulled(account.pk, account.channel, items, transport=transport)
    return run


class Stream:
    """Our adapter's listen() on a thread; what it delivers is queued for the test's own thread (the database)."""

    def __init__(self, config: AccountConfig, listen: Callable[..., None]) -> None:
        self.items: queue.Queue[PulledPayload] = queue.Queue()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(config, listen), daemon=True)

    def _run(self, config: AccountConfig, listen: Callable[..., None]) -> None:
        try:
            listen(config, self.items.put, self.stop)
        except BaseException as exc:  # noqa: BLE001 - shown by the test
            self.errors.append(exc)

    def take(self, count: int, timeout: float = 20.0) -> list[PulledPayload]:
        return [self.items.get(timeout=timeout) for _ in range(count)]


@pytest.fixture
def stream(account: ChannelAccount, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stream]:
    """Our account's stream held open on a thread, ready once the mock's first heartbeat came through."""
    ready = threading.Event()
    original = receiving.lines_of

    def watched(chunks: Iterable[bytes]) -> Iterator[str]:
        for line in original(chunks):
            ready.set()
            yield line

    monkeypatch.setattr(receiving, "lines_of", watched)
    held = Stream(AccountConfig.of(account), MastodonAdapter().listen)
    held.thread.start()
    assert ready.wait(30), held.errors  # a loaded machine (2 cores, many test runs) is slow to connect
    yield held
    held.stop.set()
    held.thread.join(5)
    assert not held.thread.is_alive()
