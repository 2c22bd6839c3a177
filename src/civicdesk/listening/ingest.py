"""The one way posts enter the store, for live sources and replays alike: `ingest(stream, posts)`.

Per batch (BATCH posts, one transaction): parse, triage (vectorised), keep what the stream's rules match, mark
reposts and near-duplicates as echoes and down-weight relaying accounts, place the relevant posts, insert the new
ones in bulk, count them per minute (stream, category, term, area cell), feed the burst detector in the posts' own
time order and write alerts. Items {"id", "platform"?, "delete": true} delete a post at once (platform deletions).
A live source calls ingest() with what it gathered in about a second (or 500 posts), or uses Batcher.
"""

import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from civicdesk.gis.cells import cell_of
from civicdesk.listening import alerts, store
from civicdesk.listening.detector import Detector, Surge
from civicdesk.listening.gazetteer import Gazetteer, city_gazetteer
from civicdesk.listening.lexicon import TERM_STOPWORDS
from civicdesk.listening.models import Alert, CountKind, Stream
from civicdesk.listening.rules import Rules, compile_rules, signature
from civicdesk.listening.scoring import default_scorer
from civicdesk.listening.text import fingerprint, is_repost
from civicdesk.listening.triage import triage

BATCH = 500
RECENT_FINGERPRINTS = 200_000
ECHO_SECONDS = 6 * 3600
AUTHORS = 100_000
RECENT_POSTS = 3000  # relevant posts kept to explain alerts (top terms, samples, where)


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    echoes: int = 0
    skipped: int = 0
    deleted: int = 0
    alerts: list[Alert] = field(default_factory=list)


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    elif value:
        moment = datetime.fromisoformat(str(value))
    else:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.utcoffset() else moment.astimezone(UTC)  # one UTC object: the store's short cut


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


class Ingestor:
    """A stream's ingest state: recent fingerprints, authors, minute counts not yet written, the detector."""

    def __init__(self, stream: Stream, gazetteer: Gazetteer | None = None) -> None:
        self.stream = stream
        self.rules: Rules = compile_rules(stream)
        self.scorer = default_scorer()
        self.tracked = frozenset(t for t in self.scorer.terms if t not in TERM_STOPWORDS) | self.rules.words
        self.gazetteer = gazetteer if gazetteer is not None else city_gazetteer()
        self.platform = str(stream.source)
        self.fingerprints: OrderedDict[int, float] = OrderedDict()
        self.authors: OrderedDict[str, list[int]] = OrderedDict()
        self.minutes: dict[tuple[int, str, str], list[float]] = {}
        self.detector = Detector(stream.sensitivity)
        self.recent: deque[tuple[float, str, list[str], str, int | None, str]] = deque(maxlen=RECENT_POSTS)
        self.alerts = alerts.AlertWriter(stream)
        self.clock = 0.0

    def ingest(self, posts: Iterable[dict[str, Any]]) -> IngestResult:
        result = IngestResult()
        batch: list[dict[str, Any]] = []
        for post in posts:
            batch.append(post)
            if len(batch) >= BATCH:
                self._batch(batch, result)
                batch = []
        if batch:
            self._batch(batch, result)
        return result

    def _batch(self, items: list[dict[str, Any]], result: IngestResult) -> None:
        result.received += len(items)
        deletions: dict[str, list[str]] = {}
        posts, seen = [], set()
        for item in items:
            platform = str(item.get("platform") or self.platform)
            post_id = str(item.get("id", ""))
            if post_id and item.get("delete"):  # a deletion wins over the post, even in the same batch
                deletions.setdefault(platform, []).append(post_id)
                continue
            if not post_id or (platform, post_id) in seen:
                result.duplicates += bool(post_id)
                continue
            seen.add((platform, post_id))
            posts.append((platform, post_id, item))
        if deletions:
            gone = {(platform, post_id) for platform, ids in deletions.items() for post_id in ids}
            posts = [p for p in posts if (p[0], p[1]) not in gone]
        texts = [str(item.get("text") or "") for _, _, item in posts]
        triaged = triage(texts, [item.get("lang") for _, _, item in posts], self.scorer)
        now = store.when(datetime.now(UTC))
        rows, kept = [], []
        for i, (platform, post_id, item) in enumerate(posts):
            lat, lon = _number(item.get("lat")), _number(item.get("lon"))
            author = str(item.get("author") or "")
            words, lang = triaged.words[i], triaged.lang[i]
            if not (self.rules.matches_text(texts[i].lower(), words, author) and self.rules.matches_place(lat, lon)
                    and self.rules.matches_language(lang)):
                result.skipped += 1
                continue
            created = parse_time(item.get("created_at"))
            moment = created.timestamp()
            print_ = fingerprint(words)
            echo, weight = (False, 1.0) if item.get("independent") else \
                self._echo_and_weight(texts[i], print_, author, moment)
            relevant = bool(triaged.relevant[i])
            located = self.gazetteer.locate(texts[i], lat, lon, item.get("place")) if relevant or lat is not None \
                else None
            place_lat = located.lat if located else None
            place_lon = located.lon if located else None
            cell = cell_of(place_lat, place_lon) if place_lat is not None and place_lon is not None else None
            rows.append((self.stream.pk, platform, post_id, author[:200], store.when(created), now,
                         texts[i], str(item.get("url") or "")[:500], lang[:8], float(triaged.relevance[i]),
                         str(triaged.category[i]), bool(triaged.urgent[i]), float(triaged.sentiment[i]), weight,
                         echo, print_, lat, lon, located.name[:200] if located else "",
                         str(located.source) if located else "", located.confidence if located else 0.0, cell))
            kept.append((moment, platform, post_id, words, relevant, str(triaged.category[i]), weight,
                         echo, cell, located.name if located else ""))
        with transaction.atomic():
            created_keys = store.insert_posts(rows) if rows else set()
            for platform, ids in deletions.items():
                result.deleted += store.delete_posts(platform, ids)
            kept.sort(key=lambda k: k[0])
            surges: list[Surge] = []
            for moment, platform, post_id, words, relevant, category, weight, echo, cell, place in kept:
                if (platform, post_id) not in created_keys:
                    result.duplicates += 1
                    continue
                result.stored += 1
                result.echoes += echo
                surges += self._count(moment, f"{platform}:{post_id}", words, relevant, category, weight, cell,
                                      place)
            self._flush_minutes(final=False)
            result.alerts += self.alerts.write(surges, self.recent)
        self.detector.prune(self.clock)

    def _echo_and_weight(self, text: str, key: int, author: str, moment: float) -> tuple[bool, float]:
        """A repost or a near-duplicate of a recent post is an echo (weight 0); an account whose posts are mostly
        echoes counts less for its originals too."""
        first = self.fingerprints.get(key)
        echo = is_repost(text) or (first is not None and moment - first < ECHO_SECONDS)
        if first is None or moment - first >= ECHO_SECONDS:
            self.fingerprints[key] = moment
            self.fingerprints.move_to_end(key)
            oldest = self.fingerprints
            while oldest and (len(oldest) > RECENT_FINGERPRINTS or moment - next(iter(oldest.values())) > ECHO_SECONDS):
                oldest.popitem(last=False)  # the front is the oldest: memory stays flat on a long replay
        if not author:
            return echo, 0.0 if echo else 1.0
        tally = self.authors.get(author)
        if tally is None:
            tally = self.authors[author] = [0, 0]
            if len(self.authors) > AUTHORS:
                self.authors.popitem(last=False)
        tally[0] += 1
        tally[1] += echo
        if echo:
            return True, 0.0
        relayed = tally[1] / tally[0]
        return False, 1.0 if tally[0] < 4 else max(0.2, 1.0 - relayed)

    def _count(self, moment: float, ref: str, words: list[str], relevant: bool, category: str, weight: float,
               cell: int | None, place: str) -> list[Surge]:
        self.clock = max(self.clock, moment)
        if self.detector.started is None:  # the warm-up runs from the stream's first post, relevant or not
            self.detector.started = moment
        minute = int(moment // 60)
        keys = [(CountKind.STREAM.value, "all")]
        if relevant:
            terms = [t for t in set(words) if t in self.tracked]
            keys += [(CountKind.STREAM.value, "relevant"), (CountKind.CATEGORY.value, category)]
            keys += [(CountKind.TERM.value, t) for t in terms]
            if cell is not None:
                keys.append((CountKind.CELL.value, str(cell)))
            if weight > 0:
                self.recent.append((moment, ref, terms, category, cell, place))
        for kind, key in keys:
            tally = self.minutes.get((minute, kind, key))
            if tally is None:
                tally = self.minutes[(minute, kind, key)] = [0, 0.0]
            tally[0] += 1
            tally[1] += weight
        if not relevant or weight <= 0:
            return []
        found = []
        for kind, key in keys[1:]:
            surge = self.detector.add(kind, key, moment, weight)
            if surge is not None:
                found.append(surge)
        return found

    def _flush_minutes(self, *, final: bool) -> None:
        if not self.minutes:
            return
        newest = max(minute for minute, _, _ in self.minutes)
        ready = {k: v for k, v in self.minutes.items() if final or k[0] < newest}
        store.add_minute_counts(self.stream.pk, ready)
        for key in ready:
            del self.minutes[key]

    def close(self) -> None:
        with transaction.atomic():
            self._flush_minutes(final=True)


_ingestors: dict[int, Ingestor] = {}


def ingestor_for(stream: Stream) -> Ingestor:
    found = _ingestors.get(stream.pk)
    if found is None or signature(found.stream) != signature(stream):  # staff changed its rules or sensitivity
        found = _ingestors[stream.pk] = Ingestor(stream)
    return found


def ingest(stream: Stream, posts: Iterable[dict[str, Any]]) -> IngestResult:
    """Feed posts ({"id", "created_at", "text", "author"?, "lang"?, "lat"?, "lon"?, "place"?, "url"?,
    "platform"?, "independent"?} or {"id", "delete": true}) into the stream; the stream's state lives for the
    process. "independent": true marks a post that is never an echo (a report on our own channels: two residents
    using the same words are two reports, not a repost)."""
    return ingestor_for(stream).ingest(posts)


class Batcher:
    """For live sources: add() posts as they come; a batch goes in at 500 posts or after a second."""

    def __init__(self, stream: Stream, *, size: int = BATCH, seconds: float = 1.0) -> None:
        self.stream, self.size, self.seconds = stream, size, seconds
        self.pending: list[dict[str, Any]] = []
        self.started = time.monotonic()

    def add(self, post: dict[str, Any]) -> IngestResult | None:
        if not self.pending:
            self.started = time.monotonic()
        self.pending.append(post)
        return self.flush() if len(self.pending) >= self.size else self.tick()

    def tick(self) -> IngestResult | None:
        if self.pending and time.monotonic() - self.started >= self.seconds:
            return self.flush()
        return None

    def flush(self) -> IngestResult:
        posts, self.pending = self.pending, []
        return ingest(self.stream, posts)
