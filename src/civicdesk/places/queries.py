"""Reads: the base map's streets, parks and labelled places for a bbox and zoom (simplified, cached per process)."""

import json
import math
from typing import Any

import shapely
from django.core.cache import caches
from django.db.models import Q

from civicdesk.places.models import Place, PlaceKind, Street, StreetClass
from civicdesk.places.search import data_version

MAJOR = [StreetClass.MOTORWAY, StreetClass.PRIMARY, StreetClass.SECONDARY]
LABELLED_WHEN_FAR = [PlaceKind.CIVIC, PlaceKind.PARK, PlaceKind.LIBRARY, PlaceKind.SCHOOL]
MIN_ZOOM, MAX_ZOOM = 8, 17


class BadBbox(ValueError):
    """The bbox parameter is not four numbers west,south,east,north."""


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise BadBbox("bbox must be west,south,east,north in degrees.") from exc
    if not all(math.isfinite(v) for v in (w, s, e, n)) or w >= e or s >= n or abs(s) > 90 or abs(n) > 90:
        raise BadBbox("bbox must be west,south,east,north in degrees.")
    return max(w, -180.0), s, min(e, 180.0), n


def snap(bbox: tuple[float, float, float, float], zoom: int) -> tuple[float, float, float, float]:
    """Grow the bbox to a grid of cells half a web-map tile wide at this zoom, so nearby views share a cache key."""
    step = 360.0 / 2 ** (zoom + 1)
    w, s, e, n = bbox
    return (math.floor(w / step) * step, math.floor(s / step) * step, math.ceil(e / step) * step,
            math.ceil(n / step) * step)


def _rounded(geometry: Any) -> dict[str, Any]:
    return shapely.geometry.mapping(shapely.set_precision(geometry, 0.00001))


def basemap(bbox: tuple[float, float, float, float], zoom: int) -> str:
    """GeoJSON text: streets (by class; only major ones when zoomed out), park and water polygons and place labels.

    Geometries are simplified to about a pixel at the zoom and rounded to 1 m; each answer is cached per process
    under the data version, so an import shows at once.
    """
    zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
    bbox = snap(bbox, zoom)
    key = f"places-basemap:{data_version()}:{zoom}:{','.join(f'{v:.6f}' for v in bbox)}"
    cache = caches["local"]
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    w, s, e, n = bbox
    inside = Q(min_lon__lte=e, max_lon__gte=w, min_lat__lte=n, max_lat__gte=s)
    tolerance = 360.0 / (256 * 2 ** zoom)  # one pixel in degrees
    features: list[dict[str, Any]] = []
    streets = Street.objects.filter(inside)
    if zoom < 14:
        streets = streets.filter(street_class__in=MAJOR)
    for pk, name, street_class, wkb in streets.values_list("pk", "name", "street_class", "wkb"):
        geometry = shapely.simplify(shapely.from_wkb(bytes(wkb)), tolerance)
        features.append({"type": "Feature", "id": f"s{pk}", "geometry": _rounded(geometry),
                         "properties": {"layer": "street", "class": street_class, "name": name}})
    places = Place.objects.filter(inside)
    if zoom < 14:
        places = places.filter(kind__in=[*LABELLED_WHEN_FAR, PlaceKind.WATER])
    for pk, name, kind, wkb, lat, lon, max_lon, min_lon in places.values_list(
            "pk", "name", "kind", "wkb", "lat", "lon", "max_lon", "min_lon"):
        geometry = shapely.from_wkb(bytes(wkb))
        if geometry.geom_type != "Point" and (max_lon - min_lon) > tolerance * 4:
            features.append({"type": "Feature", "id": f"a{pk}", "geometry": _rounded(
                shapely.simplify(geometry, tolerance, preserve_topology=True)),
                "properties": {"layer": "area", "kind": kind, "name": name}})
        features.append({"type": "Feature", "id": f"p{pk}", "geometry": {"type": "Point", "coordinates": [
            round(lon, 5), round(lat, 5)]}, "properties": {"layer": "place", "kind": kind, "name": name}})
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    cache.set(key, text, timeout=3600)
    return text
