"""Read-only gis queries: area descriptions for the API, nearby open cases and likely duplicates."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from civicdesk.agencies.models import Service
from civicdesk.cases.filters import BBox, Within
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.gis.cells import cells_near
from civicdesk.gis.geometry import haversine_m
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area, CaseLocation

NEARBY_LIMIT = 5


def describe_areas(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Public descriptions of areas by id: name, type, generations and the linked agency or team."""
    areas = Area.objects.filter(pk__in=set(ids)).select_related("type", "agency", "team", "team__agency")
    return {a.pk: {
        "id": a.pk, "name": a.name, "code": a.code, "type": a.type_id, "type_name": a.type.name,
        "generation_low": a.generation_low_id, "generation_high": a.generation_high_id,
        "agency": {"slug": a.agency.slug, "name": a.agency.name} if a.agency else None,
        "team": {"id": a.team.pk, "name": a.team.name, "agency": a.team.agency.slug} if a.team else None,
    } for a in areas}


@dataclass
class NearbyCase:
    case: Case
    distance_m: float


def within_area(area_id: int) -> Within | None:
    """The case filter for one area of the active generation (None: no such area there): a case is in it when
    the area index gives it this area, as every count per area does (dashboards.areas)."""
    area = Area.objects.filter(pk=area_id).only("pk", "name", "type", "min_lon", "min_lat", "max_lon",
                                                "max_lat").first()
    index = active_index(verify=False)
    type_index = index.types.get(area.type_id) if index is not None and area is not None else None
    if area is None or type_index is None or area_id not in set(type_index.ids.tolist()):
        return None

    def covers(lons: Sequence[float], lats: Sequence[float]) -> Sequence[bool]:
        found = type_index.lookup_many(np.array(lons, dtype=np.float64), np.array(lats, dtype=np.float64))
        return list(found == area_id)

    return Within(area.pk, area.name, BBox(area.min_lon, area.min_lat, area.max_lon, area.max_lat), covers)


def open_cases() -> QuerySet[Case]:
    return Case.objects.exclude(status__in=CaseStatus.finished()).filter(merged_into__isnull=True)


def nearby_open_cases(service: Service | None, lat: float, lon: float, *, radius_m: float | None = None,
                      limit: int = NEARBY_LIMIT, exclude_pk: int | None = None, since: Any = None) -> list[NearbyCase]:
    """Open cases of the same service within radius_m, nearest first, then newest (FixMyStreet's rule).

    CaseLocation's (service, cell) index narrows the search to the grid cells around the point; the exact
    great-circle distance decides.
    """
    radius = float(radius_m if radius_m is not None else settings.GIS_NEARBY_RADIUS_M)
    if radius <= 0 or service is None:
        return []
    rows_qs = CaseLocation.objects.filter(service_id=service.pk, cell__in=cells_near(lat, lon, radius),
                                          is_open__in=[True])
    if exclude_pk is not None:
        rows_qs = rows_qs.exclude(case_id=exclude_pk)
    if since is not None:
        rows_qs = rows_qs.filter(created_at__gte=since)
    rows = list(rows_qs.values_list("case_id", "lat", "lon", "created_at"))
    if not rows:
        return []
    lats = np.array([r[1] for r in rows])
    lons = np.array([r[2] for r in rows])
    distances = haversine_m(lat, lon, lats, lons)
    ranked = sorted((float(d), -r[3].timestamp(), r[0]) for d, r in zip(distances, rows, strict=True) if d <= radius)
    by_pk = open_cases().select_related("service").in_bulk([pk for _, _, pk in ranked[:limit * 2]])
    return [NearbyCase(by_pk[pk], d) for d, _, pk in ranked if pk in by_pk][:limit]


def likely_duplicates(case: Case, radius_m: float | None = None, days: int | None = 30,
                      limit: int = NEARBY_LIMIT) -> list[NearbyCase]:
    """For agents: open cases of the same service near this one, reported within `days` before or after it."""
    if case.lat is None or case.lon is None or case.service_id is None:
        return []
    since = case.created_at - timedelta(days=days) if days else None
    found = nearby_open_cases(case.service, case.lat, case.lon, radius_m=radius_m, limit=limit + 1,
                              exclude_pk=case.pk, since=since)
    if days:
        until = case.created_at + timedelta(days=days)
        found = [n for n in found if n.case.created_at <= until]
    return [n for n in found if n.case.merged_into_id is None][:limit]


def recent_window(days: int) -> Any:
    return timezone.now() - timedelta(days=days)
