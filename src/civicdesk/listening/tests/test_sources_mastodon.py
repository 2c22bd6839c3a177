"""The Mastodon source against mastodon-mock: a resident's public posts reach a listening stream through the
instance's hashtag or public stream, a deletion removes its post, and switching the stream off ends the read."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from civicdesk.listening.live import hold_source, live_streams
from civicdesk.listening.models import Post, SourceKind, Stream
from civicdesk.listening.sources import mastodon


def wait_for(check: Any, seconds: float = 20) -> Any:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("not within the time")


@contextmanager
def held(stream: Stream) -> Iterator[None]:
    """The stream's source read on a thread for the block; stopped (and its thread ended) after it."""
    stop = threading.Event()
    thread = threading.Thread(target=hold_source, args=(stream.pk, stop), kwargs={"max_backoff": 0.2})
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()


def connected(resident: Any, stream: Stream, text: str) -> None:
    """Post `text` until the stream has stored one (it is connected then; mastodon-mock lists no open streams),
    then forget those posts."""
    end = time.monotonic() + 60
    while time.monotonic() < end:
        resident.status_post(text)
        for _ in range(10):
            if Post.objects.filter(stream=stream, text__startswith=text.split(" #")[0]).exists():
                Post.objects.filter(stream=stream).delete()
                return
            time.sleep(0.2)
    raise AssertionError("the stream did not connect")


def test_a_hashtag_stream_keeps_the_resident_s_tagged_posts_and_a_deletion_removes_one(
        transactional_db, server, account, resident):
    stream = Stream.objects.create(name="flood", source=SourceKind.MASTODON, channel_account=account,
                                   hashtags=["#riverbendflood"])
    assert mastodon.path_of(stream) == "/api/v1/streaming/hashtag?tag=riverbendflood"
    with held(stream):
        connected(resident, stream, "Testing the line #riverbendflood")
        first = resident.status_post("Water main burst on River Road #riverbendflood", language="en")
        resident.status_post("Lunch was great today")  # not tagged: the hashtag stream never carries it
        second = resident.status_post("River Road closed at 5th #riverbendflood")
        posts = wait_for(lambda: list(Post.objects.filter(stream=stream).order_by("pk")) if
                         Post.objects.filter(stream=stream).count() >= 2 else None)
        host = mastodon.host_of(server.base_url)
        assert [p.post_id for p in posts] == [f"{host}/{first['id']}", f"{host}/{second['id']}"]
        assert posts[0].platform == "mastodon" and posts[0].author == "alice" and posts[0].lang == "en"
        assert posts[0].text.startswith("Water main burst on River Road")
        resident.status_delete(second["id"])
        wait_for(lambda: Post.objects.filter(stream=stream).count() == 1)
        Stream.objects.filter(pk=stream.pk).update(active=False)  # switched off: the read ends


def test_a_stream_with_keywords_reads_the_public_stream_and_keeps_what_its_rules_match(
        transactional_db, server, account, resident):
    stream = Stream.objects.create(name="water", source=SourceKind.MASTODON, channel_account=account,
                                   keywords=["water main"])
    assert mastodon.path_of(stream) == "/api/v1/streaming/public"
    with held(stream):
        connected(resident, stream, "Testing the water main line")
        resident.status_post("Nice sunset over the river")
        kept = resident.status_post("Water main break on Elm Street, the road is flooding")
        posts = wait_for(lambda: list(Post.objects.filter(stream=stream)))
    assert [p.post_id.rsplit("/", 1)[1] for p in posts] == [str(kept["id"])]


def test_a_mastodon_stream_needs_a_mastodon_account_and_rules(db, account):
    with pytest.raises(ValidationError, match="connected Mastodon account"):
        Stream(name="m", source=SourceKind.MASTODON, keywords=["flood"]).full_clean()
    with pytest.raises(ValidationError, match="every post it federates"):
        Stream(name="m", source=SourceKind.MASTODON, channel_account=account).full_clean()
    Stream(name="m", source=SourceKind.MASTODON, channel_account=account, hashtags=["flood"]).full_clean()
    Stream.objects.create(name="no account", source=SourceKind.MASTODON, keywords=["flood"])
    assert [s.name for s in live_streams()] == []  # one without its account is not read


def test_boosts_private_posts_and_other_events_as_posts():
    status = {"id": "7", "created_at": "2026-03-02T12:00:00.000Z", "visibility": "public", "language": "es",
              "content": "<p>Calle inundada en <a href='#'>#Riverbend</a></p>", "url": "https://m.example/@a/7",
              "account": {"acct": "ana@m.example"}, "spoiler_text": ""}
    post = mastodon.post_of("update", status, "m.example")
    assert post is not None
    assert (post["id"], post["text"], post["lang"], post["author"]) == (
        "m.example/7", "Calle inundada en #Riverbend", "es", "ana@m.example")
    boost = {**status, "id": "8", "content": "", "reblog": status, "account": {"acct": "bob"}}
    assert mastodon.post_of("update", boost, "m.example")["text"] == "Calle inundada en #Riverbend"
    assert mastodon.post_of("update", {**status, "visibility": "private"}, "m.example") is None
    assert mastodon.post_of("delete", "7", "m.example") == {"id": "m.example/7", "platform": "mastodon",
                                                             "delete": True}
    assert mastodon.post_of("notification", {"type": "mention"}, "m.example") is None
