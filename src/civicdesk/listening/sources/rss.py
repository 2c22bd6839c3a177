"""RSS 2.0 and Atom feeds, polled with conditional GETs (ETag, Last-Modified); each item or entry is a post."""

import hashlib
import html
import logging
import re
import urllib.error
import urllib.request
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from civicdesk.listening.ingest import ingest
from civicdesk.listening.models import Stream
from civicdesk.listening.sources.base import Watch, save_state

log = logging.getLogger(__name__)
POLL_SECONDS = 300
PLATFORM = "rss"
MAX_BYTES = 5 * 1024 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"
GEORSS_POINT = "{http://www.georss.org/georss}point"
TAGS = re.compile(r"<[^>]+>")
USER_AGENT = "CivicDesk listening (feed reader)"


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _plain(value: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", value)).split())


def _when(value: str) -> datetime | str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)  # RSS: RFC 822
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))  # Atom: RFC 3339
    except ValueError:
        return None


def _post_id(value: str) -> str:
    return value if len(value) <= 200 else "sha1:" + hashlib.sha1(value.encode()).hexdigest()


def _point(element: Element) -> tuple[float, float] | None:
    try:
        lat, lon = (float(v) for v in _text(element.find(GEORSS_POINT)).split())
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _post(key: str, title: str, body: str, link: str, moment: str, element: Element) -> dict[str, Any] | None:
    key = key or link
    text = " ".join(part for part in (_plain(title), _plain(body)) if part)
    if not key or not text:
        return None
    post: dict[str, Any] = {"id": _post_id(key), "platform": PLATFORM, "text": text[:4000], "url": link[:500],
                            "created_at": _when(moment)}
    point = _point(element)
    if point:
        post["lat"], post["lon"] = point
    return post


def posts_of(document: bytes) -> list[dict[str, Any]]:
    """The items of an RSS 2.0 feed or the entries of an Atom feed as posts (id: guid or id, else the link)."""
    root = ElementTree.fromstring(document)
    posts = []
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            links = entry.findall(f"{ATOM}link")
            link = next((a.get("href", "") for a in links if a.get("rel", "alternate") == "alternate"), "")
            body = _text(entry.find(f"{ATOM}summary")) or _text(entry.find(f"{ATOM}content"))
            moment = _text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated"))
            posts.append(_post(_text(entry.find(f"{ATOM}id")), _text(entry.find(f"{ATOM}title")), body, link,
                               moment, entry))
    else:
        for item in root.iter("item"):
            posts.append(_post(_text(item.find("guid")), _text(item.find("title")), _text(item.find("description")),
                               _text(item.find("link")), _text(item.find("pubDate")), item))
    return [p for p in posts if p is not None]


def fetch(stream: Stream) -> tuple[bytes, str, str] | None:
    """One conditional GET: the feed's bytes, ETag and Last-Modified, or None when it has not changed (304)."""
    state = stream.source_state or {}
    request = urllib.request.Request(stream.source_url, headers={"User-Agent": USER_AGENT})
    if state.get("etag"):
        request.add_header("If-None-Match", state["etag"])
    if state.get("last_modified"):
        request.add_header("If-Modified-Since", state["last_modified"])
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http and https only: Stream.clean)
            body = response.read(MAX_BYTES + 1)
            etag, modified = response.headers.get("ETag", ""), response.headers.get("Last-Modified", "")
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return None
        raise
    if len(body) > MAX_BYTES:
        raise ValueError(f"The feed is larger than {MAX_BYTES} bytes.")
    return body, etag, modified


def poll(stream: Stream) -> int:
    """Fetch the feed once and ingest its items (items seen before are dropped by the store); the posts stored."""
    if not stream.source_url.startswith(("http://", "https://")):
        raise ValueError("An RSS stream needs a feed address (http or https).")
    fetched = fetch(stream)
    if fetched is None:
        return 0
    stored = ingest(stream, posts_of(fetched[0])).stored
    save_state(stream, etag=fetched[1], last_modified=fetched[2])  # after the items are in: a failure refetches
    return stored


def read(stream: Stream, watch: Watch, interval: float = POLL_SECONDS) -> None:
    """Poll until stopped; an error ends the call (the caller retries with backoff)."""
    while watch.running():
        stored = poll(stream)
        if stored:
            log.info("Listening stream %s stored %s posts from its feed", stream.pk, stored)
        if not watch.wait(interval):
            return
