"""The user stream against a local server speaking Mastodon's documented streaming API: events in `event:` and
`data:` lines, heartbeats, the streaming host named by /api/v2/instance, a 429, and the stream's end."""

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civicdesk.channels import limits
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.protocol import RateLimited
from civicdesk.channels.providers.mastodon import receiving
from civicdesk.channels.providers.mastodon.adapter import MastodonAdapter
from civicdesk.channels.providers.mastodon.tests.conftest import Stream
from civicdesk.channels.providers.mastodon.tests.sse_server import TOKEN, StreamServer
from civicdesk.channels.registry import AccountConfig
from civicdesk.testing.factories import create_agency

FIXTURES = Path(__file__).parent / "fixtures"


def payload_of(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.body").read_bytes())["payload"]


@pytest.fixture
def sse() -> Iterator[StreamServer]:
    server = StreamServer().start()
    yield server
    server.stop()


def config_for(server: StreamServer, account_id: int = 0) -> AccountConfig:
    return AccountConfig(id=account_id, channel="mastodon", provider="mastodon",
                         address="riverbend311@mastodon.riverbend.example",
                         credentials={"api_base_url": server.base_url, "access_token": TOKEN,
                                      "account_id": "109300000000000001", "acct": "riverbend311"})


def held(server: StreamServer, account_id: int = 0) -> Stream:
    stream = Stream(config_for(server, account_id), MastodonAdapter().listen)
    stream.thread.start()
    assert server.connected.wait(30), stream.errors
    return stream


def test_documented_stream_events_are_delivered_and_everything_else_is_left_out(sse: StreamServer) -> None:
    stream = held(sse)
    sse.emit("update", json.dumps(payload_of("status_update_stream")))  # the home timeline: not addressed to us
    sse.emit("notification", json.dumps(payload_of("favourite_notification")))
    sse.emit("filters_changed", "")
    sse.emit("notification", json.dumps(payload_of("mention_public")))
    sse.emit("status.update", json.dumps(payload_of("status_update_stream")))
    sse.emit("delete", "109348591300000002")  # the id, bare, as Mastodon writes it
    items = stream.take(3)
    assert [item.provider_message_id for item in items] == [
        "notification:34975861", "edit:109348591300000001:2026-12-06T17:10:00.000Z", "delete:109348591300000002"]
    assert items[0].meta == {"instance": "127.0.0.1", "our_account_id": "109300000000000001",
                             "our_acct": "riverbend311@mastodon.riverbend.example",
                             "thread_root": "109348591300000001"}
    parsed = MastodonAdapter().parse(items[0].raw, items[0].meta)
    assert parsed[0].body_text.endswith("out since Monday.")  # type: ignore[union-attr]
    assert stream.items.empty()
    assert set(sse.seen_authorization) == {f"Bearer {TOKEN}"}
    stream.stop.set()
    stream.thread.join(5)
    assert not stream.thread.is_alive() and not stream.errors


def test_stopping_ends_the_stream_at_once_even_between_heartbeats(sse: StreamServer) -> None:
    sse.heartbeat = 30.0
    stream = held(sse)
    started = time.monotonic()
    stream.stop.set()
    stream.thread.join(5)
    assert not stream.thread.is_alive() and time.monotonic() - started < 2


def test_the_server_ending_the_stream_returns_so_the_listener_reconnects_and_catches_up(sse: StreamServer) -> None:
    stream = held(sse)
    with sse.lock:
        for events in sse.streams:
            events.put(None)
    stream.thread.join(5)
    assert not stream.thread.is_alive() and not stream.errors


@pytest.mark.django_db
def test_a_429_on_connecting_pauses_the_account_until_the_reset(sse: StreamServer) -> None:
    account = ChannelAccount.objects.create(channel=Channel.MASTODON, provider=Provider.MASTODON,
                                            address="riverbend311@mastodon.riverbend.example",
                                            agency=create_agency("parks", "Parks"))
    sse.refuse_stream = 1
    with pytest.raises(RateLimited) as refused:
        receiving.listen(config_for(sse, account.pk), lambda item: None, threading.Event())
    assert 20 <= refused.value.retry_after <= 31
    account.refresh_from_db()
    assert limits.paused_until(account.pk) is not None  # nothing remained: paused until the reset
    assert account.limits["remaining"] == 0


@pytest.mark.django_db
def test_a_poll_keeps_the_iso_rate_limit_reset_and_the_newest_id_as_cursor(sse: StreamServer) -> None:
    account = ChannelAccount.objects.create(channel=Channel.MASTODON, provider=Provider.MASTODON,
                                            address="riverbend311@mastodon.riverbend.example",
                                            agency=create_agency("parks", "Parks"))
    sse.notifications = [payload_of("mention_public"), payload_of("direct_message"), payload_of("update_notification")]
    found = receiving.poll(config_for(sse, account.pk))
    assert [item.provider_message_id for item in found.payloads] == [
        "notification:34975861", "notification:34975862", "notification:34975870"]
    assert found.cursor == {"min_id": "34975870"}
    account.refresh_from_db()
    assert (account.limits["limit"], account.limits["remaining"]) == (300, 299)
    assert account.limits["reset_at"] > account.created_at.isoformat()


def test_lines_split_across_chunks_make_whole_events() -> None:
    chunks = [b"event: notif", b"ication\ndata: {\"id\"", b":\"1\"}\r\n\r\n:thump\n", b"event: delete\ndata: 7\n\n"]
    events = list(receiving.sse_events(receiving.lines_of(iter(chunks))))
    assert events == [("notification", '{"id":"1"}'), ("delete", "7")]


@pytest.mark.django_db
def test_a_paused_account_waits_for_the_reset_before_connecting_again(sse: StreamServer) -> None:
    account = ChannelAccount.objects.create(channel=Channel.MASTODON, provider=Provider.MASTODON,
                                            address="riverbend311@mastodon.riverbend.example",
                                            agency=create_agency("parks", "Parks"))
    limits.pause(account.pk, 60)
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    receiving.listen(config_for(sse, account.pk), lambda item: None, stop)
    assert time.monotonic() - started < 5
    assert not sse.connected.is_set() and sse.seen_authorization == []
