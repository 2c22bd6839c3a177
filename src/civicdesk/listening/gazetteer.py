"""Where a post is: its coordinates, else its own place name, else a street or place of the city named in its text
(matched against the places app's streets and places and the gis app's boundary areas), with a confidence."""

from dataclasses import dataclass, field
from functools import cache

from civicdesk.gis.cells import cell_of
from civicdesk.listening.models import PlaceSource
from civicdesk.places.text import ABBREVIATIONS, WORD
from civicdesk.places.text import tokens as folded_tokens

MAX_WORDS = 5
CONFIDENCE = {PlaceSource.COORDINATES: 1.0, PlaceSource.POST_PLACE: 0.8}
TEXT_CONFIDENCE = {"place": 0.6, "area": 0.55, "street": 0.5}
UNKNOWN_POST_PLACE = 0.3


def place_tokens(text: str) -> list[str]:
    """places.text.tokens, without the accent folding pass when the text is plain ASCII (most posts)."""
    if not text.isascii():
        return folded_tokens(text)
    return [ABBREVIATIONS.get(word, word) for word in WORD.findall(text.lower().replace("'", ""))]


@dataclass(frozen=True)
class Located:
    name: str
    source: str
    confidence: float
    lat: float | None = None
    lon: float | None = None

    @property
    def cell(self) -> int | None:
        return cell_of(self.lat, self.lon) if self.lat is not None and self.lon is not None else None


@dataclass
class Gazetteer:
    """Normalised names ('main st', 'riverside park') -> (display name, kind, lat, lon)."""

    names: dict[str, tuple[str, str, float, float]] = field(default_factory=dict)
    area_names: dict[int, str] = field(default_factory=dict)
    first_words: set[str] = field(default_factory=set)

    def add(self, name: str, kind: str, lat: float, lon: float) -> None:
        key = " ".join(place_tokens(name))
        if len(key) >= 4 and (kind != "street" or " " in key):  # a lone word such as 'main' names nothing
            self.names.setdefault(key, (name, kind, lat, lon))
            self.first_words.add(key.split(" ", 1)[0])

    def in_text(self, text: str) -> Located | None:
        """The longest street, place or area name in the text."""
        if not self.names:
            return None
        words = place_tokens(text)
        best: tuple[int, str] | None = None
        first = self.first_words
        for start in [i for i, word in enumerate(words) if word in first]:
            for size in range(min(MAX_WORDS, len(words) - start), 0, -1):
                key = " ".join(words[start:start + size])
                if key in self.names and (best is None or size > best[0]):
                    best = (size, key)
                    break
        if best is None:
            return None
        name, kind, lat, lon = self.names[best[1]]
        return Located(name, PlaceSource.TEXT, TEXT_CONFIDENCE[kind], lat, lon)

    def locate(self, text: str, lat: float | None, lon: float | None, place: str | None) -> Located | None:
        if lat is not None and lon is not None:
            return Located(self.area_at(lat, lon), PlaceSource.COORDINATES, CONFIDENCE[PlaceSource.COORDINATES],
                           lat, lon)
        if place:
            known = self.names.get(" ".join(place_tokens(place)))
            if known:
                return Located(known[0], PlaceSource.POST_PLACE, CONFIDENCE[PlaceSource.POST_PLACE], known[2],
                               known[3])
            return Located(place[:200], PlaceSource.POST_PLACE, UNKNOWN_POST_PLACE)
        return self.in_text(text)

    def area_at(self, lat: float, lon: float) -> str:
        from civicdesk.gis.lookup import active_index

        index = active_index(verify=False)
        if index is None or not self.area_names:
            return ""
        for ids in index.covering(lon, lat).values():
            for area_id in ids:
                if area_id in self.area_names:
                    return self.area_names[area_id]
        return ""


def build() -> Gazetteer:
    """From the database: every named place and street, and the active generation's areas."""
    from civicdesk.gis.models import Area, Generation
    from civicdesk.places.models import Place, Street

    gazetteer = Gazetteer()
    for name, lat, lon in Place.objects.exclude(name="").values_list("name", "lat", "lon").iterator():
        gazetteer.add(name, "place", lat, lon)
    generation = Generation.objects.filter(active=True).values_list("pk", flat=True).first()
    if generation is not None:
        areas = Area.objects.filter(generation_low_id__lte=generation, generation_high_id__gte=generation)
        for pk, name, a, b, c, d in areas.values_list("pk", "name", "min_lat", "min_lon", "max_lat", "max_lon"):
            gazetteer.area_names[pk] = name
            gazetteer.add(name, "area", (a + c) / 2, (b + d) / 2)
    streets = Street.objects.exclude(name="").values_list("name", "min_lat", "min_lon", "max_lat", "max_lon")
    for name, a, b, c, d in streets.iterator():
        gazetteer.add(name, "street", (a + c) / 2, (b + d) / 2)
    return gazetteer


@cache
def city_gazetteer() -> Gazetteer:
    return build()
