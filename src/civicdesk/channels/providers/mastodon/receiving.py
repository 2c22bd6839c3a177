"""Receiving from Mastodon: the user stream (server-sent events) and the notifications endpoint as catch-up.

The stream (GET /api/v1/streaming/user) carries `event: <name>` and `data: <json>` lines, a blank line ending each
event and `:` lines as heartbeats. We keep `notification` events of type mention (mentions and DMs) and update
(an edit), `status.update` and `delete`; the home timeline's `update` events are not addressed to us.

The catch-up (GET /api/v1/notifications?types[]=mention&types[]=update&min_id=<cursor>) returns the page just after
the cursor; its Link header's rel="prev" (min_id=<newest>) leads to newer pages, followed until a page is empty.
The cursor kept on the account is the newest notification id stored.
"""

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from civicdesk.channels import limits
from civicdesk.channels.providers.mastodon import client, parsing
from civicdesk.channels.pulling import PollResult, PulledPayload

KEPT_NOTIFICATIONS = ("mention", "update")
STREAM_PATH = "/api/v1/streaming/user"
PAGE_LIMIT = 40  # Mastodon's default page; at most 80 since 4.1
MAX_PAGES = 10  # per poll; the cursor moves, so the next poll goes on from there
READ_TIMEOUT_SECONDS = 60  # Mastodon sends a heartbeat every 15 s: a minute of silence is a dead connection


def id_order(value: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings: longer is newer, then by text."""
    return (len(value), value)


def account_meta(config: Any) -> dict[str, Any]:
    """What parsing needs to know about our account (no secrets)."""
    credentials = client.credentials_of(config)
    return {"instance": parsing.host_of(str(credentials.get("api_base_url", ""))),
            "our_account_id": str(credentials.get("account_id", "")), "our_acct": getattr(config, "address", "")}


def thread_root(config: Any, status: dict[str, Any]) -> str:
    """The root of a reply's thread (its first ancestor we can see), from /api/v1/statuses/:id/context; a status
    that answers nothing is its own root. When the lookup fails, the status it answers stands in."""
    parent = str(status.get("in_reply_to_id") or "")
    if not parent:
        return str(status.get("id") or "")
    try:
        ancestors = client.get(config, f"/api/v1/statuses/{status['id']}/context").json().get("ancestors") or []
    except (requests.RequestException, ValueError, AttributeError):
        return parent
    return str(ancestors[0].get("id") or parent) if ancestors and isinstance(ancestors[0], dict) else parent


def pulled(config: Any, name: str, payload: Any) -> PulledPayload | None:
    """One stream event or notification as a payload to store, or None when it is not for us."""
    name = parsing.STATUS_UPDATE_ALIASES.get(name, name)
    if name not in parsing.EVENTS:
        return None
    meta = account_meta(config)
    if name == "notification":
        if not isinstance(payload, dict) or payload.get("type") not in KEPT_NOTIFICATIONS:
            return None
        status = payload.get("status")
        if payload.get("type") == "mention" and isinstance(status, dict) and status.get("id"):
            meta["thread_root"] = thread_root(config, status)
    raw = parsing.envelope(name, payload)
    return PulledPayload(raw=raw, provider_message_id=parsing.event_id(raw), meta=meta)


def streaming_base(config: Any) -> str:
    """Where the instance streams (configuration.urls.streaming of /api/v2/instance, ws -> http), else itself."""
    base = client.base_url(config)
    try:
        found = client.get(config, "/api/v2/instance").json()
        url = str(((found.get("configuration") or {}).get("urls") or {}).get("streaming") or "")
    except (requests.RequestException, ValueError, AttributeError):
        url = ""
    if url.startswith(("ws://", "wss://")):
        url = "http" + url[2:]
    return url.rstrip("/") if url.startswith(("http://", "https://")) else base


def lines_of(chunks: Iterable[bytes]) -> Iterator[str]:
    """Lines of a byte stream as they arrive (an event is yielded as soon as its blank line is read)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            yield line.rstrip(b"\r").decode("utf-8", "replace")
    if buffer:
        yield buffer.decode("utf-8", "replace")


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) of each server-sent event; heartbeats and comments skipped."""
    name, data = "", list[str]()
    for line in lines:
        if line == "":
            if name or data:
                yield name or "message", "\n".join(data)
            name, data = "", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)


def listen(config: Any, deliver: Callable[[PulledPayload], None], stop: threading.Event) -> None:
    """Hold the user stream until `stop` or until the connection ends (the caller reconnects and catches up). An
    account paused by the server's rate limit waits for the reset before connecting again."""
    until = limits.paused_until(config.id) if getattr(config, "id", None) else None
    if until is not None:
        stop.wait((until - timezone.now()).total_seconds())
        return
    url = streaming_base(config) + STREAM_PATH
    response = requests.get(url, stream=True, timeout=(settings.MASTODON_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                            headers={"Authorization": f"Bearer {client.token_of(config)}",
                                     "Accept": "text/event-stream", "User-Agent": "CivicDesk"})
    if response.status_code == 429:
        raise client.rate_limited(client.note_headers(getattr(config, "id", None), response.headers))
    response.raise_for_status()
    connection = getattr(response.raw, "_connection", None) or getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)

    def close_on_stop() -> None:  # closing alone does not wake a blocked read: the socket is shut down first
        stop.wait()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        response.close()

    threading.Thread(target=close_on_stop, daemon=True).start()
    try:
        for name, data in sse_events(lines_of(response.iter_content(chunk_size=None))):
            if stop.is_set():
                return
            try:
                payload = json.loads(data) if data else None
            except ValueError:
                payload = data  # a delete's id may come bare; anything else is stored and quarantined by parse
            item = pulled(config, name, payload)
            if item is not None:
                deliver(item)
    except (requests.RequestException, AttributeError, OSError, ValueError):
        if not stop.is_set():
            raise
    finally:
        response.close()


def poll(config: Any) -> PollResult:
    """The notifications since the cursor (mentions and edits), oldest page first, following Link rel="prev"."""
    cursor = dict(getattr(config, "cursor", {}) or {})
    since = str(cursor.get("min_id") or "")
    params: list[tuple[str, str]] = [("types[]", kind) for kind in KEPT_NOTIFICATIONS] + [("limit", str(PAGE_LIMIT))]
    if since:
        params.append(("min_id", since))
    found: dict[str, dict[str, Any]] = {}
    response = client.get(config, "/api/v1/notifications", params)
    for _page in range(MAX_PAGES):
        items = [item for item in response.json() if isinstance(item, dict) and item.get("id")]
        fresh = [item for item in items if not since or id_order(str(item["id"])) > id_order(since)]
        for item in fresh:
            found[str(item["id"])] = item
        newer = response.links.get("prev", {}).get("url", "")
        if not since or not fresh or not newer:
            break
        response = client.get(config, "", url=newer)
    ordered = sorted(found.values(), key=lambda item: id_order(str(item["id"])))
    payloads = [p for p in (pulled(config, "notification", item) for item in ordered) if p is not None]
    newest = str(ordered[-1]["id"]) if ordered else since
    return PollResult(payloads=payloads, cursor={**cursor, "min_id": newest} if newest else cursor,
                      next_poll_seconds=float(settings.MASTODON_CATCHUP_SECONDS))
