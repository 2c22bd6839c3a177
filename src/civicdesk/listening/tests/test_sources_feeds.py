"""The RSS/Atom source against a local HTTP file server: items and entries become posts once, the second poll
is a conditional GET answered 304, and a stream needs its feed's address."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from civicdesk.listening.models import Post, SourceKind, Stream
from civicdesk.listening.sources import rss

RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:georss="http://www.georss.org/georss"><channel><title>Riverbend News</title>
<item><title>Water main break closes River Road</title><link>https://news.example/1</link>
<guid>news-1</guid><description>&lt;p&gt;Crews are on site; avoid the area.&lt;/p&gt;</description>
<pubDate>Mon, 02 Mar 2026 12:00:00 GMT</pubDate><georss:point>40.001 -75.0</georss:point></item>
<item><title>Flood warning for the river</title><link>https://news.example/2</link>
<pubDate>Mon, 02 Mar 2026 12:05:00 GMT</pubDate></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Weather alerts</title><id>urn:alerts</id>
<updated>2026-03-02T12:00:00Z</updated>
<entry><id>urn:alert:1</id><title>Flash flood warning</title><link href="https://weather.example/a1"/>
<updated>2026-03-02T12:00:00Z</updated><summary>Flash flooding is happening now in low areas.</summary></entry>
<entry><id>urn:alert:2</id><title>Heat advisory</title><link rel="alternate" href="https://weather.example/a2"/>
<published>2026-03-02T13:00:00+00:00</published><content type="html">Stay hydrated</content></entry>
</feed>"""
ETAG = '"v1"'


class FeedServer(BaseHTTPRequestHandler):
    """Serves /rss.xml and /atom.xml with an ETag and a Last-Modified; a matching conditional GET gets 304."""

    requests: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        FeedServer.requests.append(dict(self.headers))
        body = {"/rss.xml": RSS, "/atom.xml": ATOM}.get(self.path)
        if body is None:
            self.send_error(404)
            return
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", "Mon, 02 Mar 2026 12:05:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feeds() -> Iterator[str]:
    FeedServer.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_rss_stream_needs_its_feeds_address(db):
    with pytest.raises(ValidationError) as raised:
        Stream(name="news", source=SourceKind.RSS).full_clean()
    assert "source_url" in raised.value.message_dict
    with pytest.raises(ValidationError):
        Stream(name="news", source=SourceKind.RSS, source_url="file:///etc/passwd").full_clean()
    Stream(name="news", source=SourceKind.RSS, source_url="https://news.example/rss.xml").full_clean()


def test_rss_items_become_posts_once_and_the_second_poll_is_answered_304(db, feeds):
    stream = Stream.objects.create(name="news", source=SourceKind.RSS, source_url=f"{feeds}/rss.xml")
    assert rss.poll(stream) == 2
    posts = {p.post_id: p for p in Post.objects.filter(stream=stream)}
    assert set(posts) == {"news-1", "https://news.example/2"}  # the guid, else the link
    first = posts["news-1"]
    assert first.text == "Water main break closes River Road Crews are on site; avoid the area."
    assert (first.platform, first.url, first.lat, first.lon) == ("rss", "https://news.example/1", 40.001, -75.0)
    assert first.created_at.isoformat() == "2026-03-02T12:00:00+00:00"
    stream.refresh_from_db()
    assert stream.source_state == {"etag": ETAG, "last_modified": "Mon, 02 Mar 2026 12:05:00 GMT"}

    assert rss.poll(stream) == 0
    assert FeedServer.requests[-1]["If-None-Match"] == ETAG
    assert FeedServer.requests[-1]["If-Modified-Since"] == "Mon, 02 Mar 2026 12:05:00 GMT"
    stream.source_state = {}
    assert rss.poll(stream) == 0  # fetched again in full: items seen before are not stored twice
    assert Post.objects.filter(stream=stream).count() == 2


def test_atom_entries_become_posts(db, feeds):
    stream = Stream.objects.create(name="alerts", source=SourceKind.RSS, source_url=f"{feeds}/atom.xml")
    assert rss.poll(stream) == 2
    posts = {p.post_id: p for p in Post.objects.filter(stream=stream)}
    assert posts["urn:alert:1"].text == "Flash flood warning Flash flooding is happening now in low areas."
    assert posts["urn:alert:1"].url == "https://weather.example/a1"
    assert posts["urn:alert:2"].created_at.isoformat() == "2026-03-02T13:00:00+00:00"
    assert posts["urn:alert:2"].text == "Heat advisory Stay hydrated"


def test_a_feed_that_fails_keeps_its_place_for_the_next_poll(db, feeds):
    stream = Stream.objects.create(name="news", source=SourceKind.RSS, source_url=f"{feeds}/missing.xml")
    with pytest.raises(OSError):
        rss.poll(stream)
    stream.refresh_from_db()
    assert stream.source_state == {} and not Post.objects.exists()


def test_hostile_xml_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><rss><channel/></rss>'
    with pytest.raises(Exception, match="(?i)entit"):
        rss.posts_of(bomb)
