"""The in-process address and place search index: built once per process from the database, rebuilt when an import
bumps the data version. Prefix matching on the last word, typo tolerance (edit distance 1-2 through a deletion
index), house numbers matched exactly or by prefix, and the nearest address to a point (a k-d tree)."""

import bisect
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree

from civicdesk.places.models import AddressPoint, Dataset, Place, Street
from civicdesk.places.text import deletions, fold, prefix_expansions, tokens
from civicdesk.search.typos import edit_distance

M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON_EQUATOR = 111_320.0
EXACT, PREFIX, TYPO1, TYPO2 = 1.0, 0.85, 0.7, 0.5
MAX_PREFIX_WORDS = 300


@dataclass
class Suggestion:
    label: str
    kind: str  # "address", "street" or a place kind
    lat: float
    lon: float
    score: float
    address: str = ""  # what goes into the form's address box

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "kind": self.kind, "lat": round(self.lat, 6), "lon": round(self.lon, 6),
                "address": self.address or self.label}


@dataclass
class Nearest:
    label: str
    lat: float
    lon: float
    distance_m: float


@dataclass
class Index:
    version: str = ""
    vocabulary: list[str] = field(default_factory=list)  # sorted, for prefix ranges
    variants: dict[str, list[str]] = field(default_factory=dict)  # one-deletion form -> vocabulary words
    street_words: dict[str, list[int]] = field(default_factory=dict)  # word -> street ids
    place_words: dict[str, list[int]] = field(default_factory=dict)  # word -> place ids
    street_names: list[str] = field(default_factory=list)
    street_sizes: list[int] = field(default_factory=list)  # word count, to prefer "Main St" over "Main St Ext"
    street_numbers: list[dict[str, list[int]]] = field(default_factory=list)  # street id -> number -> address ids
    street_middle: list[int] = field(default_factory=list)  # an address near the middle of each street
    labels: list[str] = field(default_factory=list)
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    places: list[tuple[str, str, float, float, int, str]] = field(default_factory=list)  # name, kind, lat, lon, words,
    tree: cKDTree | None = None  # over address points scaled to metres around the city's latitude
    cos_lat: float = 1.0
    street_tree: shapely.STRtree | None = None  # named street centrelines in the same metre-scaled plane
    street_line_names: list[str] = field(default_factory=list)

    def _word_matches(self, word: str, last: bool) -> dict[str, float]:
        """Vocabulary words a query word may stand for, each with how good the match is."""
        found: dict[str, float] = {}
        if word in self.street_words or word in self.place_words:
            found[word] = EXACT
        if last:
            for partial in [word, *prefix_expansions(word)]:
                start = bisect.bisect_left(self.vocabulary, partial)
                for candidate in self.vocabulary[start:start + MAX_PREFIX_WORDS]:
                    if not candidate.startswith(partial):
                        break
                    found.setdefault(candidate, EXACT if candidate == partial else PREFIX)
        if len(word) >= 3 and not word.isdigit():
            for variant in deletions(word):
                for candidate in self.variants.get(variant, ()):
                    if candidate not in found:
                        distance = edit_distance(word, candidate, 2 if len(word) >= 7 else 1)
                        if distance == 1:
                            found[candidate] = TYPO1
                        elif distance == 2:
                            found[candidate] = TYPO2
        return found

    def _documents(self, words: list[str], postings: dict[str, list[int]]) -> dict[int, float]:
        """Documents (streets or places) matching every word, with their mean word score."""
        scores: dict[int, float] | None = None
        for position, word in enumerate(words):
            matches = self._word_matches(word, last=position == len(words) - 1)
            here: dict[int, float] = {}
            for candidate, quality in matches.items():
                for doc in postings.get(candidate, ()):
                    if here.get(doc, 0.0) < quality:
                        here[doc] = quality
            scores = here if scores is None else {d: s + here[d] for d, s in scores.items() if d in here}
            if not scores:
                return {}
        return {d: s / len(words) for d, s in (scores or {}).items()}

    def search(self, query: str, limit: int = 8) -> list[Suggestion]:
        words = tokens(query)
        if not words:
            return []
        number = words[0] if any(c.isdigit() for c in words[0]) and len(words) > 1 else ""
        rest = words[1:] if number else words
        found: list[Suggestion] = []
        streets = self._documents(rest, self.street_words)
        ranked = sorted(streets.items(), key=lambda item: (-item[1], self.street_sizes[item[0]],
                                                           self.street_names[item[0]]))[:40]
        for street, score in ranked:
            score -= 0.02 * max(0, self.street_sizes[street] - len(rest))  # words the query did not name
            numbers = self.street_numbers[street]
            if number:
                exact = numbers.get(number, [])
                for address in exact[:limit]:
                    found.append(self._address(address, score + 1.0))
                if not exact:
                    near = sorted((n for n in numbers if n.startswith(number)), key=lambda n: (len(n), n))[:limit]
                    for rank, n in enumerate(near):
                        found.append(self._address(numbers[n][0], score + 0.5 - 0.001 * rank))
                    if not near and number.isdigit():  # no such number: the closest numbers on that street
                        closest = sorted((n for n in numbers if n.isdigit()), key=lambda n: abs(int(n) - int(number)))
                        for rank, n in enumerate(closest[:3]):
                            found.append(self._address(numbers[n][0], score + 0.2 - 0.001 * rank))
            else:
                middle = self.street_middle[street]
                name = self.street_names[street]
                found.append(Suggestion(name, "street", float(self.lat[middle]), float(self.lon[middle]), score + 0.9,
                                        name))
        place_words = rest
        if place_words:
            matched = self._documents(place_words, self.place_words)
            if not matched and not found and len(place_words) >= 2:  # forgive one word that names nothing
                for skip in range(len(place_words)):
                    for doc, s in self._documents(place_words[:skip] + place_words[skip + 1:],
                                                  self.place_words).items():
                        matched[doc] = max(matched.get(doc, 0.0), s * 0.8)
            for doc, s in matched.items():
                name, kind, lat, lon, size, place_address = self.places[doc]
                bonus = 0.0 if number else 1.0  # "12 river" wants River Road's numbers before the river itself
                found.append(Suggestion(name, kind, lat, lon, s + bonus - 0.01 * size,
                                        place_address or name))
        found.sort(key=lambda s: (-s.score, len(s.label), s.label))
        seen: set[str] = set()
        unique = []
        for suggestion in found:
            if suggestion.label not in seen:
                seen.add(suggestion.label)
                unique.append(suggestion)
        return unique[:limit]

    def _address(self, address: int, score: float) -> Suggestion:
        return Suggestion(self.labels[address], "address", float(self.lat[address]), float(self.lon[address]), score)

    def _scaled(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * self.cos_lat * M_PER_DEG_LON_EQUATOR, lat * M_PER_DEG_LAT

    def nearest(self, lat: float, lon: float, max_m: float) -> Nearest | None:
        if self.tree is None:
            return None
        distance, position = self.tree.query(self._scaled(lat, lon), distance_upper_bound=max_m)
        if not np.isfinite(distance):
            return None
        i = int(position)
        return Nearest(self.labels[i], float(self.lat[i]), float(self.lon[i]), float(distance))

    def nearest_street(self, lat: float, lon: float, max_m: float) -> tuple[str, float] | None:
        """The name of the closest named street centreline within max_m, and how far it is."""
        if self.street_tree is None:
            return None
        point = shapely.Point(*self._scaled(lat, lon))
        found, distances = self.street_tree.query_nearest(point, max_distance=max_m, return_distance=True)
        if not len(found):
            return None
        return self.street_line_names[int(found[0])], float(distances[0])


def build_index(version: str) -> Index:
    """Read every address and place (a few columns, one pass each) into an Index."""
    index = Index(version=version)
    words: set[str] = set()
    street_ids: dict[str, int] = {}
    street_words: dict[str, set[int]] = defaultdict(set)
    rows = AddressPoint.objects.order_by("street", "id").values_list("number", "street", "label", "lat", "lon")
    lats, lons = [], []
    for number, street, label, lat, lon in rows.iterator(chunk_size=20000):
        key = fold(street)
        sid = street_ids.get(key)
        if sid is None:
            sid = street_ids[key] = len(index.street_names)
            index.street_names.append(street)
            street_tokens = tokens(street)
            index.street_sizes.append(len(street_tokens))
            index.street_numbers.append({})
            for word in street_tokens:
                street_words[word].add(sid)
                words.add(word)
        index.street_numbers[sid].setdefault(fold(number).replace(" ", ""), []).append(len(index.labels))
        index.labels.append(label)
        lats.append(lat)
        lons.append(lon)
    index.street_words = {w: sorted(ids) for w, ids in street_words.items()}
    for numbers in index.street_numbers:
        ids = sorted(i for group in numbers.values() for i in group)
        index.street_middle.append(ids[len(ids) // 2])
    place_words: dict[str, set[int]] = defaultdict(set)
    for name, kind, lat, lon, address in Place.objects.order_by("name", "id").values_list(
            "name", "kind", "lat", "lon", "address"):
        place_tokens = tokens(name)
        for word in place_tokens:
            place_words[word].add(len(index.places))
            words.add(word)
        index.places.append((name, kind, lat, lon, len(place_tokens), address))
    index.place_words = {w: sorted(ids) for w, ids in place_words.items()}
    index.vocabulary = sorted(words)
    variants: dict[str, list[str]] = defaultdict(list)
    for word in index.vocabulary:
        if len(word) >= 3 and not word.isdigit():
            for variant in deletions(word):
                variants[variant].append(word)
    index.variants = dict(variants)
    index.lat, index.lon = np.array(lats, dtype=float), np.array(lons, dtype=float)
    if len(lats):
        index.cos_lat = float(np.cos(np.radians(np.median(index.lat))))
        index.tree = cKDTree(np.column_stack([index.lon * index.cos_lat * M_PER_DEG_LON_EQUATOR,
                                              index.lat * M_PER_DEG_LAT]))
    lines, names = [], []
    for name, wkb in Street.objects.exclude(name="").values_list("name", "wkb").iterator(chunk_size=2000):
        lines.append(shapely.from_wkb(bytes(wkb)))
        names.append(name)
    if lines:
        if not len(lats):
            index.cos_lat = float(np.cos(np.radians(shapely.get_y(shapely.centroid(lines[0])))))
        scale = np.array([index.cos_lat * M_PER_DEG_LON_EQUATOR, M_PER_DEG_LAT])
        index.street_tree = shapely.STRtree(shapely.transform(np.array(lines, dtype=object), lambda xy: xy * scale))
        index.street_line_names = names
    return index


_lock = threading.Lock()
_current = Index()


def data_version() -> str:
    """The places data's version and time of change (the time too, so a database rebuilt from scratch, as in tests,
    never passes for the one an index was built from)."""
    row = Dataset.objects.filter(pk=1).values_list("version", "updated_at").first()
    return f"{row[0]}:{row[1].timestamp() if row[1] else ''}" if row else "0"


def reset_index() -> None:
    """Forget this process's index (tests; the next search builds it again)."""
    global _current
    _current = Index()


def current_index() -> Index:
    """This process's index, rebuilt when the data version in the database moved (one small query per call)."""
    global _current
    version = data_version()
    if _current.version != version:
        with _lock:
            if _current.version != version:
                _current = build_index(version)
    return _current
