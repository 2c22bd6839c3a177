"""Mastodon's public and hashtag streams (server-sent events) on a connected account's instance, as posts.

GET /api/v1/streaming/public carries every public status the instance knows (federated), as `update` events whose
data is a Status, and `delete` events whose data is a status id; /api/v1/streaming/hashtag?tag=NAME carries those
with one hashtag. A stream with exactly one hashtag and no other rule reads the hashtag stream; any other reads the
public stream and keeps what its rules match (ingest applies them). Heartbeats (`:` lines) keep a quiet connection
alive; a minute of silence is a dead one, and the caller reconnects with backoff. Post ids are the instance's host
and the status id, so a deletion (which names only the id) finds its post.
"""

import contextlib
import json
import logging
import socket
import threading
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings

from civicdesk.channels.providers.mastodon import client
from civicdesk.channels.providers.mastodon.parsing import host_of, html_to_text
from civicdesk.channels.providers.mastodon.receiving import READ_TIMEOUT_SECONDS, lines_of, sse_events, streaming_base
from civicdesk.channels.registry import AccountConfig
from civicdesk.listening.ingest import Batcher
from civicdesk.listening.models import Stream
from civicdesk.listening.sources.base import Watch

log = logging.getLogger(__name__)
PLATFORM = "mastodon"
PUBLIC_PATH = "/api/v1/streaming/public"
HASHTAG_PATH = "/api/v1/streaming/hashtag"
TICK_SECONDS = 0.5  # a gathered batch goes in within a second even when the stream goes quiet


class NoAccount(Exception):
    """The stream names no Mastodon account to listen with (or it was disconnected)."""


def path_of(stream: Stream) -> str:
    """The hashtag stream for a stream whose one rule is a single hashtag, else the public stream."""
    tags = [str(tag).lstrip("#").strip() for tag in stream.hashtags or [] if str(tag).strip("# ")]
    if len(tags) == 1 and not stream.keywords and not stream.accounts:
        return f"{HASHTAG_PATH}?{urlencode({'tag': tags[0]})}"
    return PUBLIC_PATH


def post_of(name: str, data: Any, host: str) -> dict[str, Any] | None:
    """One stream event as ingest's post dict (or deletion); None for anything else (edits, notifications). A boost
    is the boosted status's text under the boost's id: ingest marks it an echo of the original."""
    if name == "delete" and isinstance(data, str | int) and str(data):
        return {"id": f"{host}/{data}", "platform": PLATFORM, "delete": True}
    if name != "update" or not isinstance(data, dict) or not data.get("id"):
        return None
    status: dict[str, Any] = data["reblog"] if isinstance(data.get("reblog"), dict) else data
    if status.get("visibility", "public") not in ("public", "unlisted"):
        return None
    account: dict[str, Any] = data["account"] if isinstance(data.get("account"), dict) else {}
    text = html_to_text(str(status.get("content") or ""))
    warning = str(status.get("spoiler_text") or "").strip()
    if not text and not warning:
        return None
    post: dict[str, Any] = {"id": f"{host}/{data['id']}", "platform": PLATFORM,
                            "text": f"{warning}\n\n{text}".strip() if warning else text,
                            "author": str(account.get("acct") or "")[:200],
                            "created_at": data.get("created_at") or None,
                            "url": str(data.get("url") or data.get("uri") or "")[:500]}
    if isinstance(status.get("language"), str) and status["language"]:
        post["lang"] = status["language"].split("-")[0].lower()[:8]
    return post


def config_of(stream: Stream) -> AccountConfig:
    account = stream.channel_account
    if account is None or account.provider != "mastodon" or not account.is_active:
        raise NoAccount(stream.pk)
    return AccountConfig.of(account)


def read(stream: Stream, watch: Watch) -> None:
    """Hold one connection until stopped or dropped (an exception: the caller reconnects with backoff)."""
    config = config_of(stream)
    host = host_of(client.base_url(config))
    response = requests.get(streaming_base(config) + path_of(stream), stream=True,
                            timeout=(settings.MASTODON_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                            headers={"Authorization": f"Bearer {client.token_of(config)}",
                                     "Accept": "text/event-stream", "User-Agent": "CivicDesk"})
    if response.status_code == 429:
        raise client.rate_limited(client.note_headers(config.id, response.headers))
    response.raise_for_status()
    log.info("Listening stream %s connected to Mastodon (%s)", stream.pk, path_of(stream).split("?")[0])
    batcher, lock, done = Batcher(stream), threading.Lock(), threading.Event()
    connection = getattr(response.raw, "_connection", None) or getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)

    def tick() -> None:  # flushes a quiet stream's batch, and ends the read when the stream is switched off
        while not done.wait(TICK_SECONDS):
            if not watch.running():
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                response.close()
                return
            with lock:
                batcher.tick()

    ticker = threading.Thread(target=tick, daemon=True, name=f"listening-mastodon-{stream.pk}-tick")
    ticker.start()
    try:
        for name, data in sse_events(lines_of(response.iter_content(chunk_size=None))):
            try:
                payload = json.loads(data) if data else None
            except ValueError:
                payload = data  # a delete's id may come bare
            post = post_of(name, payload, host)
            if post is not None:
                with lock:
                    batcher.add(post)
    except (requests.RequestException, AttributeError, OSError, ValueError):
        if watch.running():
            raise
    finally:
        done.set()
        ticker.join(timeout=5)
        response.close()
        with lock:
            if batcher.pending:
                batcher.flush()
