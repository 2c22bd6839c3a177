"""Riverbend's synthetic boundaries (city, wards, sanitation and service zones) and location routing rules."""

import shapely
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Polygon, box

from civicdesk.agencies.models import Agency, Service
from civicdesk.gis.actions import activate_generation, ensure_default_area_types
from civicdesk.gis.case_locations import rebuild_case_locations
from civicdesk.gis.geometry import geodesic_area_m2
from civicdesk.gis.models import Area, Generation, RoutingRule

CENTER_LAT, CENTER_LON = 40.0, -75.0
HALF_LAT, HALF_LON = 0.045, 0.0587  # about 10 x 10 km
DEMO_GENERATION = "Riverbend demo boundaries"
SERVICE_ZONE_AGENCIES = ["public-works", "transportation", "parks", "housing"]


def _city() -> Polygon:
    # a 10 km square with a notched north-east corner, so the boundary is not just a box
    w, s, e, n = CENTER_LON - HALF_LON, CENTER_LAT - HALF_LAT, CENTER_LON + HALF_LON, CENTER_LAT + HALF_LAT
    return Polygon([(w, s), (e, s), (e, n - 0.01), (e - 0.015, n), (w, n), (w, s)])


def _grid(parts_x: int, parts_y: int) -> list[Polygon]:
    city = _city()
    w, s, e, n = city.bounds
    cells = []
    for j in range(parts_y):
        for i in range(parts_x):
            cell = box(w + (e - w) * i / parts_x, s + (n - s) * j / parts_y,
                       w + (e - w) * (i + 1) / parts_x, s + (n - s) * (j + 1) / parts_y)
            cells.append(shapely.intersection(cell, city))
    return cells


def _area(generation: Generation, area_type: str, name: str, geometry: Polygon, agency: Agency | None) -> Area:
    b = geometry.bounds
    return Area.objects.create(type_id=area_type, name=name, code=name.lower().replace(" ", "-"),
                               generation_low=generation, generation_high=generation, wkb=shapely.to_wkb(geometry),
                               min_lon=b[0], min_lat=b[1], max_lon=b[2], max_lat=b[3],
                               area_m2=geodesic_area_m2(geometry), agency=agency)


@transaction.atomic
def seed_boundaries() -> Generation:
    """Create and activate Riverbend's boundaries and rules once; later calls return the same generation.

    The spatial copy of cases (CaseLocation) is rebuilt too, because the demo seeder bulk-creates its cases.
    """
    rebuild_case_locations()
    existing = Generation.objects.filter(description=DEMO_GENERATION).first()
    if existing is not None:
        return existing
    agencies = {a.slug: a for a in Agency.objects.all()}
    ensure_default_area_types()
    generation = Generation.objects.create(description=DEMO_GENERATION, created_at=timezone.now())
    _area(generation, "city", "Riverbend", _city(), agencies.get("311"))
    for number, geometry in enumerate(_grid(3, 2), start=1):
        _area(generation, "ward", f"Ward {number}", geometry, None)
    sanitation = agencies.get("sanitation")
    zones = [_area(generation, "sanitation_zone", f"Sanitation zone {letter}", geometry, sanitation)
             for letter, geometry in zip("ABCD", _grid(2, 2), strict=True)]
    halves = [_area(generation, "service_zone", name, geometry, agencies.get("public-works"))
              for name, geometry in zip(["West service zone", "East service zone"], _grid(2, 1), strict=True)]
    if sanitation:
        _zone_rules(sanitation, zones, priority=20)
    for slug in SERVICE_ZONE_AGENCIES:
        if slug in agencies:
            _zone_rules(agencies[slug], halves, priority=10)
    if "police" in agencies:
        for service in Service.objects.filter(agency=agencies["police"]):
            RoutingRule.objects.create(service=service, area_type_id="city", agency=agencies["police"], priority=5)
    return activate_generation(generation)


def _zone_rules(agency: Agency, zones: list[Area], priority: int) -> None:
    """Each zone's cases of the agency's services go to one of its teams in turn (or the agency itself)."""
    teams = list(agency.teams.order_by("id"))
    for number, zone in enumerate(zones):
        team = teams[number % len(teams)] if teams else None
        for service in Service.objects.filter(agency=agency):
            RoutingRule.objects.create(service=service, area_type_id=zone.type_id, area=zone, agency=agency, team=team,
                                       priority=priority)
