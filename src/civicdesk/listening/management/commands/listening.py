"""`civicdesk listening classify|replay|train|listen`: triage posts from stdin, replay a file through the live path,
rebuild the relevance model from CrisisLex T6 (printing leave-one-event-out F1), and read the live sources."""

import json
import signal
import sys
import threading
import time
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civicdesk.listening.gazetteer import city_gazetteer
from civicdesk.listening.ingest import BATCH, Ingestor, parse_time
from civicdesk.listening.models import SourceKind, Stream
from civicdesk.listening.triage import triage

DEFAULT_DATA = Path(settings.BASE_DIR).parent.parent.parent / "shared" / "data" / "crisislex-t6"


def json_lines(handle: Any) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                raise CommandError(f"Line {number} is not JSON.") from None
            if not isinstance(value, dict):
                raise CommandError(f"Line {number} is not a JSON object.")
            yield value


class Command(BaseCommand):
    help = "Social listening: classify posts, replay a file of posts, train the relevance model."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("classify", help="Read posts as JSON lines on stdin, write one triage line per post.")
        replay = verbs.add_parser("replay", help="Feed a JSON-lines file through the live path on the posts' clock.")
        replay.add_argument("file", help="Posts, one JSON object a line ({id, created_at, text, ...}).")
        pace = replay.add_mutually_exclusive_group()
        pace.add_argument("--fast", action="store_true", help="As fast as possible (the default).")
        pace.add_argument("--speed", type=float, default=0.0, help="N times real time, by the posts' timestamps.")
        replay.add_argument("--stream", default="replay", help="The stream's name (created when missing).")
        train = verbs.add_parser("train", help="Rebuild the model file from CrisisLex T6; print leave-one-event-out "
                                               "weighted and macro F1.")
        train.add_argument("--data", default=str(DEFAULT_DATA), help="The crisislex-t6 folder.")
        train.add_argument("--output", default="", help="Where to write the model (default: the shipped file).")
        train.add_argument("--no-evaluate", action="store_true", help="Skip the leave-one-event-out scores.")
        verbs.add_parser("listen", help="Read the live streams (Jetstream, RSS/Atom, our own channels), one thread "
                                        "each; `civicdesk run` starts it.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["verb"])(options)

    def listen(self, options: dict[str, Any]) -> None:
        from civicdesk.listening.live import listen_forever

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("Reading the live listening streams (Ctrl-C stops).")
        listen_forever(stop)

    def classify(self, options: dict[str, Any]) -> None:
        gazetteer = city_gazetteer()
        batch: list[dict[str, Any]] = []
        for post in json_lines(sys.stdin):
            batch.append(post)
            if len(batch) >= BATCH:
                self._classified(batch, gazetteer)
                batch = []
        if batch:
            self._classified(batch, gazetteer)

    def _classified(self, posts: list[dict[str, Any]], gazetteer: Any) -> None:
        result = triage([str(p.get("text") or "") for p in posts], [p.get("lang") for p in posts])
        out = []
        for i, post in enumerate(posts):
            lat, lon = post.get("lat"), post.get("lon")
            located = gazetteer.locate(str(post.get("text") or ""), float(lat) if lat is not None else None,
                                       float(lon) if lon is not None else None, post.get("place"))
            out.append(json.dumps({
                "id": post.get("id"), "relevant": bool(result.relevant[i]),
                "relevance": round(float(result.relevance[i]), 4), "category": str(result.category[i]),
                "urgent": bool(result.urgent[i]), "sentiment": round(float(result.sentiment[i]), 4),
                "lang": result.lang[i], "place": (located.name or None) if located else None}))
        self.stdout.write("\n".join(out))

    def replay(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        stream, _ = Stream.objects.get_or_create(name=options["stream"], defaults={"source": SourceKind.REPLAY})
        ingestor = Ingestor(stream)
        started, alerts, posts = time.perf_counter(), 0, 0
        speed = float(options["speed"] or 0)
        first_post: float | None = None
        batch: list[dict[str, Any]] = []
        with path.open(encoding="utf-8") as handle:
            for post in json_lines(handle):
                posts += 1
                if speed > 0:
                    moment = parse_time(post.get("created_at")).timestamp()
                    first_post = moment if first_post is None else first_post
                    wait = (moment - first_post) / speed - (time.perf_counter() - started)
                    if wait > 0.05 or len(batch) >= BATCH:
                        alerts += self._replayed(ingestor, batch)
                        batch = []
                        if wait > 0:
                            time.sleep(wait)
                batch.append(post)
                if len(batch) >= BATCH:
                    alerts += self._replayed(ingestor, batch)
                    batch = []
        alerts += self._replayed(ingestor, batch)
        ingestor.close()
        seconds = time.perf_counter() - started
        self.stdout.write(json.dumps({"summary": {"posts": posts, "seconds": round(seconds, 3),
                                                  "posts_per_second": round(posts / seconds, 1) if seconds else 0,
                                                  "alerts": alerts}}))

    def _replayed(self, ingestor: Ingestor, batch: list[dict[str, Any]]) -> int:
        if not batch:
            return 0
        from civicdesk.listening.alerts import as_line

        result = ingestor.ingest(batch)
        for alert in result.alerts:
            self.stdout.write(json.dumps(as_line(alert)))
        return len(result.alerts)

    def train(self, options: dict[str, Any]) -> None:
        from civicdesk.listening import training
        from civicdesk.listening.scoring import MODEL_PATH

        root = Path(options["data"])
        examples = training.read_crisislex(root)
        if not examples:
            raise CommandError(f"No CrisisLex T6 files under {root} (folders holding *-ontopic_offtopic.csv).")
        self.stdout.write(f"{len(examples)} labelled posts from {len({e.event for e in examples})} events.")
        if not options["no_evaluate"]:
            for name, scores in (("static", training.leave_one_event_out(examples, training.STATIC_THRESHOLD)),
                                 ("adapted", training.leave_one_event_out_adapted(examples))):
                self.stdout.write(json.dumps({"model": name, "weighted_f1": round(scores.weighted_f1, 4),
                                              "macro_f1": round(scores.macro_f1, 4),
                                              "per_event": {k: [round(v[0], 4), round(v[1], 4)]
                                                            for k, v in scores.per_event.items()}}))
        model = training.fit([training.post_features(e.text) for e in examples],
                             training.labels_of(examples))
        output = Path(options["output"]) if options["output"] else MODEL_PATH
        training.save(model, training.crisis_terms(examples, model), output, threshold=training.STATIC_THRESHOLD)
        self.stdout.write(f"Wrote {output} ({output.stat().st_size // 1024} KB, {len(model.vocabulary)} features).")
