"""Riverbend's streets, addresses, parks and named places: a street grid cut by the Lenape River, fitted inside the
demo city boundary (civicdesk.gis.demo), with the demo cases' street addresses among the address points."""

import math
import re
from typing import Any

import shapely
from django.db import transaction
from shapely.geometry import LineString, Point, Polygon, box

from civicdesk.cases.models import Case
from civicdesk.gis.demo import CENTER_LAT, CENTER_LON, HALF_LAT, HALF_LON, _city
from civicdesk.places.actions import bump_version
from civicdesk.places.models import AddressPoint, Place, PlaceKind, Street, StreetClass

W, S = CENTER_LON - HALF_LON, CENTER_LAT - HALF_LAT
E, N = CENTER_LON + HALF_LON, CENTER_LAT + HALF_LAT
AVE_STEP, ST_STEP = 0.0059, 0.0036  # about 500 m and 400 m: one block, one hundred house numbers
RIVER_AVENUE, RIVER_ROAD_AVENUE = 3, 4
P, SEC, RES = StreetClass.PRIMARY, StreetClass.SECONDARY, StreetClass.RESIDENTIAL
# east-west streets, south to north (index j: latitude S + j * ST_STEP)
CROSS_STREETS = [
    ("Harbor Way", RES), ("Canal Street", RES), ("Water Street", RES), ("Spruce Street", RES), ("Walnut Street", RES),
    ("Chestnut Street", RES), ("Pine Street", RES), ("Market Street", P), ("Church Street", RES),
    ("Bridge Street", SEC), ("Union Street", RES), ("Main Street", P), ("Elm Street", RES), ("Maple Street", RES),
    ("High Street", SEC), ("School Street", RES), ("Cedar Lane", RES), ("Mill Road", SEC), ("Orchard Lane", RES),
    ("Willow Drive", RES), ("Station Road", SEC), ("Lakeview Drive", RES), ("Hillside Avenue", RES),
    ("Vine Street", RES),
]
# north-south avenues, west to east (index i: longitude W + i * AVE_STEP); None where the river runs
AVENUES = [
    ("Ferry Road", SEC), ("Dock Street", RES), None, ("River Road", P), ("Oak Avenue", RES), ("Franklin Street", RES),
    ("Park Avenue", SEC), ("Cherry Street", RES), ("Lincoln Avenue", P), ("Washington Avenue", P),
    ("Grove Avenue", RES), ("Laurel Avenue", RES), ("Sycamore Street", RES), ("Magnolia Avenue", RES),
    ("Hickory Avenue", RES), ("Birch Street", RES), ("Poplar Street", RES), ("Beech Avenue", RES),
    ("Mulberry Street", RES),
]
# (name, kind, block west index, south index, east index, north index, inset in degrees)
BLOCK_PLACES = [
    ("Riverbend City Hall", PlaceKind.CIVIC, 10, 12, 11, 12.5, 0.0008),
    ("Commons Park", PlaceKind.PARK, 10, 13, 11, 14, 0.0003),
    ("Riverbend Public Library", PlaceKind.LIBRARY, 9, 8, 10, 8.6, 0.0008),
    ("Riverbend High School", PlaceKind.SCHOOL, 12, 15, 13, 16, 0.0005),
    ("Lincoln Elementary School", PlaceKind.SCHOOL, 8, 9, 9, 10, 0.0007),
    ("Oak Avenue Middle School", PlaceKind.SCHOOL, 5, 17, 6, 18, 0.0006),
    ("Ferry Road Elementary School", PlaceKind.SCHOOL, 0, 14, 1, 15, 0.0007),
    ("Hillside Elementary School", PlaceKind.SCHOOL, 17, 22, 18, 23, 0.0007),
    ("Memorial Park", PlaceKind.PARK, 14, 5, 15, 6, 0.0003),
    ("Orchard Hill Park", PlaceKind.PARK, 6, 19, 7, 20, 0.0003),
    ("Willow Pond Park", PlaceKind.PARK, 16, 20, 17, 21, 0.0003),
    ("Ferry Landing Park", PlaceKind.PARK, 1, 10, 2, 11, 0.0003),
    ("Riverbend Fire Station 1", PlaceKind.CIVIC, 7, 11, 7.5, 11.5, 0.0008),
    ("Riverbend Police Headquarters", PlaceKind.CIVIC, 11, 11, 11.6, 11.6, 0.0008),
    ("Riverbend Community Center", PlaceKind.CIVIC, 13, 9, 14, 9.6, 0.0008),
    ("Riverbend Station", PlaceKind.LANDMARK, 7, 20, 8, 20.5, 0.0007),
]
EVEN_OFFSETS, ODD_OFFSETS = (0, 24, 48, 72), (1, 25, 49, 73)
SIDE_M = 15.0
CASE_ADDRESS = re.compile(r"^(\d+) (.+)$")


def _river_x(lat: float) -> float:
    return W + RIVER_AVENUE * AVE_STEP + 0.0025 * math.sin(2 * math.pi * (lat - S) / (N - S) * 0.8)


def _river_road_x(lat: float) -> float:
    return _river_x(lat) + 0.0022


def river() -> Polygon:
    lats = [S - 0.002 + k * 0.0005 for k in range(int((N - S + 0.004) / 0.0005) + 1)]
    west = [(_river_x(y) - 0.0008, y) for y in lats]
    east = [(_river_x(y) + 0.0008, y) for y in reversed(lats)]
    return shapely.intersection(Polygon(west + east), _city())


def _block(i0: float, j0: float, i1: float, j1: float, inset: float) -> Polygon:
    return box(W + i0 * AVE_STEP + inset, S + j0 * ST_STEP + inset, W + i1 * AVE_STEP - inset,
               S + j1 * ST_STEP - inset)


def streets() -> list[tuple[str, str, Any]]:
    """(name, class, geometry) for every street, clipped to the city."""
    city, water = _city(), river()
    found: list[tuple[str, str, Any]] = []
    for j, (name, street_class) in enumerate(CROSS_STREETS, start=1):
        lat = S + j * ST_STEP
        line = LineString([(W, lat), (E, lat)])
        if street_class == RES:  # only main roads bridge the river: others stop at the water and at River Road
            line = shapely.union(LineString([(W, lat), (_river_x(lat) - 0.0009, lat)]),
                                 LineString([(_river_road_x(lat), lat), (E, lat)]))
        found.append((name, street_class, shapely.intersection(line, city)))
    for i, avenue in enumerate(AVENUES, start=1):
        if avenue is None:
            continue
        name, street_class = avenue
        if i == RIVER_ROAD_AVENUE:
            lats = [S + k * 0.0005 for k in range(int((N - S) / 0.0005) + 1)]
            line = LineString([(_river_road_x(y), y) for y in lats])
        else:
            lon = W + i * AVE_STEP
            line = LineString([(lon, S), (lon, N)])
        found.append((name, street_class, shapely.difference(shapely.intersection(line, city), water)))
    return found


def address_position(street: str, number: int) -> tuple[float, float] | None:
    """Where number N of a Riverbend street stands (even numbers on the south or east side), or None."""
    block, within = number // 100 - 1, (number % 100) / 100
    if block < 0:
        return None
    along = block + 0.08 + 0.84 * within
    side = -1 if number % 2 == 0 else 1
    for j, (name, street_class) in enumerate(CROSS_STREETS, start=1):
        if name == street:
            lat, lon = S + j * ST_STEP + side * SIDE_M / 110_540, W + along * AVE_STEP
            if street_class == RES and _river_x(lat) - 0.0012 < lon < _river_road_x(lat) + 0.0003:
                return None  # this street stops at the river
            return lat, lon
    for i, avenue in enumerate(AVENUES, start=1):
        if avenue and avenue[0] == street:
            lat = S + along * ST_STEP
            x = _river_road_x(lat) if i == RIVER_ROAD_AVENUE else W + i * AVE_STEP
            if i == RIVER_ROAD_AVENUE and side < 0:
                return None  # the river side of River Road has no houses
            return lat, x - side * SIDE_M / (111_320 * math.cos(math.radians(lat)))
    return None


def _places() -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = [("Lenape River", PlaceKind.WATER, river())]
    for name, kind, i0, j0, i1, j1, inset in BLOCK_PLACES:
        found.append((name, kind, _block(i0, j0, i1, j1, inset)))
    lats = [S + 5 * ST_STEP + k * 0.0005 for k in range(int(6 * ST_STEP / 0.0005))]
    strip = Polygon([(_river_x(y) + 0.0009, y) for y in lats] + [(_river_road_x(y) - 0.0003, y) for y in
                                                                  reversed(lats)])
    found.append(("Riverside Park", PlaceKind.PARK, strip))
    pond = Point(W + 16.5 * AVE_STEP, S + 20.5 * ST_STEP).buffer(0.0006, quad_segs=6)
    found.append(("Willow Pond", PlaceKind.WATER, pond))
    mill_lat = S + 18 * ST_STEP
    found.append(("The Old Mill", PlaceKind.LANDMARK, Point(_river_road_x(mill_lat) + 0.0004, mill_lat + 0.0004)))
    found.append(("Riverbend Farmers Market", PlaceKind.LANDMARK,
                  Point(W + 6.5 * AVE_STEP, S + 8 * ST_STEP + 0.0004)))
    return found


def _bbox(geometry: Any) -> dict[str, float]:
    w, s, e, n = shapely.bounds(geometry)
    return {"min_lon": w, "min_lat": s, "max_lon": e, "max_lat": n}


@transaction.atomic
def seed_places() -> str:
    """Create Riverbend's streets, places and addresses once (later calls do nothing) and say what was made."""
    if Street.objects.exists() or AddressPoint.objects.exists():
        return "already there"
    city = _city()
    Street.objects.bulk_create(Street(name=name, street_class=street_class, wkb=shapely.to_wkb(geometry),
                                      source_id="demo", **_bbox(geometry))
                               for name, street_class, geometry in streets() if not shapely.is_empty(geometry))
    places = _places()
    blocked = shapely.union_all([g.buffer(0.0001) for _n, kind, g in places if g.geom_type != "Point"])
    wanted: dict[tuple[str, int], None] = {}
    for name, _class in [*CROSS_STREETS, *(a for a in AVENUES if a)]:
        for base in range(100, 2600, 100):
            for offset in (*EVEN_OFFSETS, *ODD_OFFSETS):
                wanted[(name, base + offset)] = None
    for address in Case.objects.exclude(address="").values_list("address", flat=True).distinct():
        match = CASE_ADDRESS.match(address)
        if match:
            wanted[(match.group(2), int(match.group(1)))] = None
    addresses = []
    for street, number in wanted:
        position = address_position(street, number)
        if position is None:
            continue
        lat, lon = position
        point = Point(lon, lat)
        if not city.contains(point) or blocked.contains(point):
            continue
        addresses.append(AddressPoint(number=str(number), street=street, label=f"{number} {street}", lat=lat,
                                      lon=lon, postcode="19" + str(100 + int((lat - S) / (N - S) * 3) * 3 +
                                                                  int((lon - W) / (E - W) * 3)), source_id="demo"))
    AddressPoint.objects.bulk_create(addresses, batch_size=2000)
    Place.objects.bulk_create(_place(name, kind, geometry) for name, kind, geometry in places)
    bump_version()
    return f"{Street.objects.count()} streets, {len(addresses)} addresses, {len(places)} places"


def _place(name: str, kind: str, geometry: Any) -> Place:
    label = geometry if shapely.get_type_id(geometry) == 0 else shapely.point_on_surface(geometry)
    return Place(name=name, kind=kind, wkb=shapely.to_wkb(geometry), lat=shapely.get_y(label),
                 lon=shapely.get_x(label), source_id="demo", **_bbox(geometry))
