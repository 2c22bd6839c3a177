"""Bluesky's Jetstream over a WebSocket: post creations and deletions become posts, resuming from the cursor."""

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.sync.client import connect

from civicdesk.listening.ingest import Batcher
from civicdesk.listening.models import JETSTREAM_URL, Stream
from civicdesk.listening.sources.base import Watch, save_state

log = logging.getLogger(__name__)
POST_COLLECTION = "app.bsky.feed.post"
PLATFORM = "bluesky"
REWIND_US = 2_000_000  # resume two seconds early: events seen twice are dropped by the store's unique key


def address(stream: Stream) -> str:
    """The endpoint with wantedCollections=app.bsky.feed.post and, after the first connection, the cursor."""
    parts = urlsplit(stream.source_url or JETSTREAM_URL)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("cursor", "wantedCollections")]
    query.append(("wantedCollections", POST_COLLECTION))
    cursor = (stream.source_state or {}).get("cursor")
    if isinstance(cursor, int) and cursor > 0:
        query.append(("cursor", str(max(0, cursor - REWIND_US))))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def post_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """A Jetstream event as ingest's post dict (or deletion), None for anything else. The clock is time_us (when
    Jetstream saw the commit), not the record's createdAt, which the posting app sets as it likes."""
    commit = event.get("commit")
    did = event.get("did")
    if event.get("kind") != "commit" or not isinstance(commit, dict) or not isinstance(did, str):
        return None
    if commit.get("collection") != POST_COLLECTION or not commit.get("rkey"):
        return None
    post_id = f"at://{did}/{POST_COLLECTION}/{commit['rkey']}"
    operation = commit.get("operation")
    if operation == "delete":
        return {"id": post_id, "platform": PLATFORM, "delete": True}
    record = commit.get("record")
    if operation != "create" or not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None
    langs = record.get("langs")
    post: dict[str, Any] = {"id": post_id, "platform": PLATFORM, "text": record["text"], "author": did,
                            "created_at": int(event.get("time_us") or 0) / 1_000_000 or None,
                            "url": f"https://bsky.app/profile/{did}/post/{commit['rkey']}"}
    if isinstance(langs, list) and langs and isinstance(langs[0], str):
        post["lang"] = langs[0].split("-")[0].lower()[:8]
    return post


def read(stream: Stream, watch: Watch) -> None:
    """Hold one connection until stopped or dropped (an exception: the caller reconnects with backoff)."""
    batcher = Batcher(stream)
    cursor = (stream.source_state or {}).get("cursor")

    def flushed(result: Any) -> None:
        if result is not None and cursor:
            save_state(stream, cursor=cursor)

    try:
        with connect(address(stream), open_timeout=15, close_timeout=2, max_size=2 ** 21) as socket:
            log.info("Listening stream %s connected to Jetstream", stream.pk)
            while watch.running():
                try:
                    message = socket.recv(timeout=1.0)
                except TimeoutError:
                    flushed(batcher.tick())
                    continue
                try:
                    event = json.loads(message)
                except ValueError:
                    continue
                if not isinstance(event, dict):
                    continue
                if isinstance(event.get("time_us"), int) and event["time_us"] > (cursor or 0):
                    cursor = event["time_us"]
                post = post_of(event)
                flushed(batcher.add(post) if post is not None else batcher.tick())
    finally:
        if batcher.pending:
            flushed(batcher.flush())
        elif cursor:
            save_state(stream, cursor=cursor)
