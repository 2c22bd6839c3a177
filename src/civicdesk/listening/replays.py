"""Replay material for tests and benchmarks: synthetic diurnal background traffic and CrisisLex T6 events placed
on its clock (timestamps decoded from the tweet ids)."""

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicdesk.listening.training import read_crisislex

# Sudden-onset events of CrisisLex T6 and when they began (UTC, public record)
ONSETS = {
    "2013_Boston_Bombings": datetime(2013, 4, 15, 18, 49, 43, tzinfo=UTC),
    "2013_West_Texas_Explosion": datetime(2013, 4, 18, 0, 50, 38, tzinfo=UTC),
    "2013_Oklahoma_Tornado": datetime(2013, 5, 20, 19, 56, tzinfo=UTC),
}
CHATTER = ("good morning everyone coffee time", "cannot wait for the weekend", "this traffic is so slow today",
           "watching the game tonight with friends", "new phone who dis", "lunch was amazing", "so tired of mondays",
           "happy birthday to my best friend", "going to the gym later", "that movie was great",
           "buenos días a todos", "qué calor hace hoy", "vamos al partido esta noche")


def chatter(rng: random.Random) -> str:
    """A synthetic ordinary post: two phrases and a number (never identical, so never an echo)."""
    return f"{rng.choice(CHATTER)} {rng.choice(CHATTER)} {rng.randrange(10_000)}"


def background(start: datetime, days: float, per_minute: float, *, seed: int = 1,
               texts: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Ordinary traffic: a Poisson number of posts each minute around a diurnal curve (a trough at 4 am, a peak
    at 4 pm, 0.4x to 1.6x the mean), texts drawn from `texts` (off-topic tweets) or synthetic chatter."""
    rng = random.Random(seed)
    base = start.timestamp()
    number = 0
    for minute in range(int(days * 1440)):
        hour = (minute / 60) % 24
        rate = per_minute * (1 + 0.6 * math.sin(2 * math.pi * (hour - 10) / 24))
        count = _poisson(rng, rate)
        for offset in sorted(rng.random() * 60 for _ in range(count)):
            number += 1
            text = f"{rng.choice(texts)} {number}" if texts else chatter(rng)
            yield {"id": f"bg{seed}-{number}", "created_at": datetime.fromtimestamp(
                base + minute * 60 + offset, UTC).isoformat(), "text": text, "author": f"user{rng.randrange(20000)}",
                "platform": "replay"}


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def off_topic_texts(root: Path) -> list[str]:
    return [e.text for e in read_crisislex(root) if not e.relevant]


def event_posts(root: Path, event: str, *, before_s: float = 3600, after_s: float = 6 * 3600
                ) -> tuple[list[dict[str, Any]], float]:
    """The event's tweets (on- and off-topic) from before_s before its onset to after_s after, on their own clock,
    and the time of the first on-topic tweet at or after the onset."""
    onset = ONSETS[event].timestamp()
    posts, first = [], math.inf
    for example in read_crisislex(root):
        if example.event != event:
            continue
        moment = example.timestamp_ms / 1000
        if onset - before_s <= moment <= onset + after_s:
            posts.append({"id": str(example.tweet_id), "created_at": datetime.fromtimestamp(moment, UTC).isoformat(),
                          "text": example.text, "platform": "x"})
            if example.relevant and moment >= onset:
                first = min(first, moment)
    posts.sort(key=lambda p: p["created_at"])
    return posts, first


def merged(*streams: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((p for s in streams for p in s), key=lambda p: p["created_at"])
