"""The shared stream hub: a feed's one poller per process, its framing, pokes, wakes from other processes, shutdown.

A made-up feed stands in for the staff and chat feeds (their own tests drive them through the ASGI app): it counts
its reads, and its "database" is a list the test appends to.
"""

import asyncio
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from civicdesk.web import push, pushwake


@dataclass(eq=False)
class Listener(push.Subscription):
    wants: str = ""
    pending: list[str] = field(default_factory=list)

    def take(self) -> str:
        text = "".join(f"event: said\ndata: {word}\n\n" for word in self.pending)
        self.pending = []
        return text


class WordFeed(push.Feed[Listener, list[str]]):
    """Words said since the cursor; a listener hears the words starting with its letter."""

    name = "words"
    said: list[str] = []
    seconds = 0.2

    def __init__(self) -> None:
        self.cursor = 0
        self.reads = 0
        self.threads: set[str] = set()

    def interval(self) -> float:
        return self.seconds

    def snapshot(self, subscriptions: list[Listener]) -> int:
        return self.cursor

    def read(self, cursor: int) -> list[str]:
        self.reads += 1
        self.threads.add(threading.current_thread().name)
        words = WordFeed.said[cursor:]
        self.cursor = cursor + len(words)
        return words

    def empty(self) -> list[str]:
        return []

    def fan_out(self, words: list[str], subscriptions: list[Listener]) -> bool:
        for subscription in subscriptions:
            mine = [word for word in words if word.startswith(subscription.wants)]
            if mine:
                subscription.pending += mine
                subscription.wake.set()
        return False


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    WordFeed.said = []
    WordFeed.seconds = 0.2
    monkeypatch.setattr(push, "_hubs", {})
    monkeypatch.setattr(push, "_shut_loop", None)
    monkeypatch.setattr(pushwake, "directory", lambda: Path(tmp_path))


def word_hub() -> push.Hub[Listener, list[str]]:
    return push.hub(WordFeed.name, WordFeed)


async def collect(stream, seconds: float) -> str:  # type: ignore[no-untyped-def]
    text = ""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            text += await asyncio.wait_for(anext(stream), timeout=left)
        except (TimeoutError, StopAsyncIteration):
            break
    return text


def test_a_stream_opens_with_retry_and_its_greeting_and_hears_only_what_its_filter_lets_through():
    async def scenario() -> None:
        stream = push.stream(word_hub(), Listener(wants="a"), 10, retry_ms=1500, greeting=": hello\n\n")
        assert await anext(stream) == "retry: 1500\n: hello\n\n"
        WordFeed.said += ["apple", "banana", "avocado"]
        assert await collect(stream, 0.6) == "event: said\ndata: apple\n\nevent: said\ndata: avocado\n\n"
        await stream.aclose()
    asyncio.run(scenario())


def test_many_streams_share_one_read_per_interval_in_the_hubs_own_thread():
    async def scenario() -> None:
        streams = [push.stream(word_hub(), Listener(wants="x"), 10, retry_ms=1000, greeting="") for _ in range(30)]
        for stream in streams:
            await anext(stream)
        feed = word_hub().feed
        await asyncio.sleep(1.0)
        assert 4 <= feed.reads <= 7  # one read each 0.2 s, whatever the number of streams
        assert len(feed.threads) == 1 and threading.current_thread().name not in feed.threads
        for stream in streams:
            await stream.aclose()
    asyncio.run(scenario())


def test_a_poke_from_another_thread_reads_at_once_instead_of_waiting_for_the_interval():
    WordFeed.seconds = 30.0

    async def scenario() -> None:
        stream = push.stream(word_hub(), Listener(wants="p"), 60, retry_ms=1000, greeting="")
        await anext(stream)
        await asyncio.sleep(0.2)
        WordFeed.said.append("pear")
        threading.Thread(target=push.poke, args=(WordFeed.name,)).start()
        assert "data: pear" in await collect(stream, 1.0)
        await stream.aclose()
    asyncio.run(scenario())


def test_a_wake_from_another_process_reaches_the_hub_at_once(monkeypatch):
    WordFeed.seconds = 30.0
    WordFeed.wakeable = True

    async def scenario() -> None:
        stream = push.stream(word_hub(), Listener(wants="k"), 60, retry_ms=1000, greeting="")
        await anext(stream)
        await asyncio.sleep(0.2)
        assert [name for name in os.listdir(pushwake.directory()) if name.startswith("words.")]
        WordFeed.said.append("kiwi")
        with monkeypatch.context() as patched:
            patched.setattr(pushwake.os, "getpid", lambda: 1)  # as another process of this host would
            await asyncio.to_thread(pushwake.wake, "words")
        assert "data: kiwi" in await collect(stream, 1.0)
        await stream.aclose()
        await asyncio.sleep(0.1)
        assert not os.listdir(pushwake.directory())  # the poller stopped and removed its socket
    try:
        asyncio.run(scenario())
    finally:
        WordFeed.wakeable = False


def test_a_wake_removes_the_socket_of_a_process_that_died():
    folder = pushwake.directory()
    dead = folder / "words.999999.1"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(dead))
    sock.close()  # the file stays, nobody reads it (as after kill -9)
    pushwake.wake("words")
    assert not dead.exists()


def test_the_poller_stops_with_the_last_stream_and_starts_again_from_now():
    async def scenario() -> None:
        stream = push.stream(word_hub(), Listener(wants="a"), 10, retry_ms=1000, greeting="")
        await anext(stream)
        await asyncio.sleep(0.1)
        await stream.aclose()
        task = word_hub().task
        assert task is not None
        await asyncio.wait_for(task, 2)
        assert not word_hub().subscriptions
    asyncio.run(scenario())


def test_shutdown_ends_open_streams_and_refuses_new_ones():
    async def scenario() -> None:
        stream = push.stream(word_hub(), Listener(wants="a"), 60, retry_ms=1000, greeting="")
        await anext(stream)
        push.shutdown()
        assert await collect(stream, 1.0) == ""  # it ended
        late = push.stream(word_hub(), Listener(wants="a"), 60, retry_ms=1000, greeting="")
        await anext(late)
        assert await collect(late, 0.5) == ""
    asyncio.run(scenario())


def test_a_stream_sends_keep_alives_and_ends_after_its_lifetime(monkeypatch):
    monkeypatch.setattr(push, "KEEPALIVE_SECONDS", 0.2)

    async def scenario() -> None:
        stream = push.stream(word_hub(), Listener(wants="a"), 0.5, retry_ms=1000, greeting="")
        await anext(stream)
        text = await collect(stream, 2.0)
        assert 2 <= text.count(": keep-alive\n\n") <= 3 and text.replace(": keep-alive\n\n", "") == ""
        with pytest.raises(StopAsyncIteration):  # the lifetime ended the stream
            await anext(stream)
    asyncio.run(scenario())
