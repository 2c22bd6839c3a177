"""The Jetstream source against a local WebSocket server sending Jetstream-shaped events: posts are stored, a
deletion removes its post, and a reconnect resumes from the cursor."""

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.sync.server import ServerConnection, serve

from civicdesk.listening.live import hold_source
from civicdesk.listening.models import JETSTREAM_URL, Post, SourceKind, Stream
from civicdesk.listening.sources import jetstream
from civicdesk.listening.sources.base import Watch

DID = "did:plc:abc123"
T_US = 1_772_452_800_000_000  # 2026-03-02 12:00 UTC


def create(rkey: str, text: str, offset_s: float) -> dict[str, Any]:
    return {"did": DID, "time_us": T_US + int(offset_s * 1_000_000), "kind": "commit",
            "commit": {"rev": "3k", "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                       "record": {"$type": "app.bsky.feed.post", "text": text, "langs": ["en"],
                                  "createdAt": "2026-03-02T12:00:00.000Z"}, "cid": "bafy"}}


def delete(rkey: str, offset_s: float) -> dict[str, Any]:
    return {"did": DID, "time_us": T_US + int(offset_s * 1_000_000), "kind": "commit",
            "commit": {"rev": "3l", "operation": "delete", "collection": "app.bsky.feed.post", "rkey": rkey}}


class FakeJetstream:
    """Sends each connection its list of events, then holds (or closes) the connection; records the paths."""

    def __init__(self, rounds: list[list[dict[str, Any]]]) -> None:
        self.rounds, self.paths, self.sent = rounds, [], threading.Event()

    def handler(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        number = len(self.paths)
        self.paths.append(connection.request.path)
        for event in self.rounds[min(number, len(self.rounds) - 1)]:
            connection.send(json.dumps(event))
        connection.send(json.dumps({"did": DID, "time_us": T_US, "kind": "identity", "identity": {}}))
        if number + 1 >= len(self.rounds):
            self.sent.set()
            try:
                connection.recv(timeout=10)
            except Exception:
                return
        # an earlier round ends by closing: the client must reconnect


@pytest.fixture
def server() -> Iterator[Any]:
    def start(rounds: list[list[dict[str, Any]]]) -> tuple[FakeJetstream, str]:
        fake = FakeJetstream(rounds)
        started = serve(fake.handler, "127.0.0.1", 0)
        threading.Thread(target=started.serve_forever, daemon=True).start()
        servers.append(started)
        return fake, f"ws://127.0.0.1:{started.socket.getsockname()[1]}/subscribe"

    servers: list[Any] = []
    yield start
    for started in servers:
        started.shutdown()


def listen_until(stream: Stream, fake: FakeJetstream, seconds: float = 10) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=hold_source, args=(stream.pk, stop), kwargs={"max_backoff": 0.2})
    thread.start()
    assert fake.sent.wait(seconds)
    for _ in range(40):  # the batch goes in within a second of its first post
        stop.wait(0.1)
        if stream.posts.exists() and stop.wait(1.3) is False:
            break
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def test_a_jetstream_stream_defaults_to_the_public_endpoint_for_posts(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="every public Bluesky post"):
        Stream(name="bsky", source=SourceKind.JETSTREAM).full_clean()  # no rule: the whole feed
    stream = Stream(name="bsky", source=SourceKind.JETSTREAM, keywords=["flood"])
    stream.full_clean()
    assert stream.source_url == JETSTREAM_URL
    query = parse_qs(urlsplit(jetstream.address(stream)).query)
    assert query == {"wantedCollections": ["app.bsky.feed.post"]}


def test_events_become_posts_with_at_uris_and_a_deletion_removes_its_post(transactional_db, server):
    fake, url = server([[create("3k1", "Water main burst on River Road", 0), create("3k2", "Road closed", 1),
                         create("3k3", "lunch was amazing", 2), delete("3k2", 3),
                         {"did": DID, "time_us": T_US + 4, "kind": "commit",
                          "commit": {"operation": "create", "collection": "app.bsky.feed.like", "rkey": "x"}}]])
    stream = Stream.objects.create(name="bsky", source=SourceKind.JETSTREAM, source_url=url)
    listen_until(stream, fake)
    posts = {p.post_id: p for p in Post.objects.filter(stream=stream)}
    assert set(posts) == {f"at://{DID}/app.bsky.feed.post/3k1", f"at://{DID}/app.bsky.feed.post/3k3"}
    first = posts[f"at://{DID}/app.bsky.feed.post/3k1"]
    assert (first.platform, first.author, first.lang) == ("bluesky", DID, "en")
    assert first.created_at.timestamp() == T_US / 1_000_000
    assert first.url == f"https://bsky.app/profile/{DID}/post/3k1"
    assert fake.paths[0] == "/subscribe?wantedCollections=app.bsky.feed.post"


def test_a_deletion_of_a_post_stored_earlier_removes_it(stream_with_post):
    stream, post_id = stream_with_post
    jetstream_delete = jetstream.post_of(delete("3k9", 5))
    assert jetstream_delete == {"id": post_id, "platform": "bluesky", "delete": True}
    from civicdesk.listening.ingest import ingest

    assert ingest(stream, [jetstream_delete]).deleted == 1
    assert not Post.objects.filter(post_id=post_id).exists()


@pytest.fixture
def stream_with_post(db):
    from civicdesk.listening.ingest import ingest

    stream = Stream.objects.create(name="bsky", source=SourceKind.JETSTREAM)
    post = jetstream.post_of(create("3k9", "Flooding on Main Street", 0))
    assert post is not None
    ingest(stream, [post])
    return stream, post["id"]


def test_a_reconnect_resumes_from_the_cursor(transactional_db, server):
    fake, url = server([[create("3k1", "Water main burst on River Road", 0), create("3k2", "Road closed", 30)],
                        [create("3k3", "Crews on site at River Road", 40)]])
    stream = Stream.objects.create(name="bsky", source=SourceKind.JETSTREAM, source_url=url)
    listen_until(stream, fake)
    assert len(fake.paths) >= 2
    cursor = int(parse_qs(urlsplit(fake.paths[1]).query)["cursor"][0])
    assert T_US <= cursor <= T_US + 30_000_000  # the last event seen, rewound two seconds
    stream.refresh_from_db()
    assert stream.source_state["cursor"] >= T_US + 30_000_000
    assert Post.objects.filter(stream=stream).count() == 3


def test_the_watch_stops_a_source_whose_stream_is_switched_off(db):
    stream = Stream.objects.create(name="bsky", source=SourceKind.JETSTREAM)
    watch = Watch(stream, threading.Event())
    assert watch.running()
    Stream.objects.filter(pk=stream.pk).update(active=False)
    watch.checked -= 60
    assert not watch.running()
