"""Surges become alerts that explain themselves: posts in the window, the rate against the usual rate, the top
terms and categories, sample posts and where (cells and places). A stream has at most one alert running: surges
of other counts within MERGE_SECONDS of its last surge join it (its `keys`) instead of raising another."""

from collections import Counter, deque
from collections.abc import Sequence
from datetime import UTC, datetime

from civicdesk.gis.cells import CELL_DEGREES, ROW
from civicdesk.listening.detector import Surge
from civicdesk.listening.models import Alert, Stream

MERGE_SECONDS = 1800
SAMPLES = 5
TOP = 8

Recent = deque[tuple[float, str, list[str], str, int | None, str]]


def cell_box(cell: int) -> list[float]:
    """[min lon, min lat, max lon, max lat] of a gis.cells cell."""
    row, column = divmod(cell, ROW)
    lat, lon = row * CELL_DEGREES - 90, column * CELL_DEGREES - 180
    return [round(lon, 6), round(lat, 6), round(lon + CELL_DEGREES, 6), round(lat + CELL_DEGREES, 6)]


def explain(surge: Surge, recent: Recent) -> dict[str, object]:
    window = [r for r in recent if surge.window_start <= r[0] <= surge.at]
    terms = Counter(t for r in window for t in r[2])
    categories = Counter(r[3] for r in window)
    cells = Counter(r[4] for r in window if r[4] is not None)
    places = Counter(r[5] for r in window if r[5])
    boxes = [cell_box(c) for c in cells]
    box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
           max(b[3] for b in boxes)] if boxes else []
    return {"terms": [t for t, _ in terms.most_common(TOP)], "categories": dict(categories.most_common()),
            "samples": [r[1] for r in window[:SAMPLES]],
            "area": {"cells": [[c, n] for c, n in cells.most_common(TOP)], "box": box,
                     "places": [p for p, _ in places.most_common(TOP)]}}


class AlertWriter:
    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.running: Alert | None = None
        self.last_surge = 0.0

    def write(self, surges: Sequence[Surge], recent: Recent) -> list[Alert]:
        raised, touched = [], False
        for surge in surges:
            key = f"{surge.kind}:{surge.key}"
            if self.running is not None and surge.at - self.last_surge < MERGE_SECONDS:
                if key not in self.running.keys:
                    self.running.keys.append(key)
                    touched = True
                self.last_surge = surge.at
                continue
            if touched and self.running is not None:
                self.running.save(update_fields=["keys"])
                touched = False
            about = explain(surge, recent)
            self.running = Alert.objects.create(
                stream=self.stream, kind=surge.kind, key=surge.key,
                raised_at=datetime.fromtimestamp(surge.at, UTC), window_start=datetime.fromtimestamp(
                    surge.window_start, UTC), posts=round(surge.posts), rate_per_min=surge.posts,
                baseline_per_min=surge.baseline_per_min, terms=about["terms"], categories=about["categories"],
                samples=about["samples"], area=about["area"], keys=[key])
            self.last_surge = surge.at
            raised.append(self.running)
        if touched and self.running is not None:
            self.running.save(update_fields=["keys"])
        return raised


def as_line(alert: Alert) -> dict[str, object]:
    """The replay contract's alert line (times on the posts' clock)."""
    return {"alert": alert.pk, "raised_at": alert.raised_at.isoformat(), "window_start": alert.window_start.isoformat(),
            "posts": alert.posts, "baseline_per_min": round(alert.baseline_per_min, 4), "terms": alert.terms,
            "area": alert.area, "kind": alert.kind, "key": alert.key, "categories": alert.categories}
