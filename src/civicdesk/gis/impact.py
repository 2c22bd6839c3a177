"""Before/after impact of a service initiative: request rate per area, resolution time and hotspot changes."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import numpy as np
import shapely
from django.db.models import QuerySet
from django.utils import timezone
from scipy import stats

from civicdesk.cases.models import Case
from civicdesk.gis.hotspots import Grid, hotspots
from civicdesk.gis.lookup import active_generation_key
from civicdesk.gis.models import Area, AreaType, Initiative

DAYS_PER_RATE = 30


@dataclass
class AreaRate:
    name: str
    before: int
    after: int
    rate_before: float  # requests per 30 days
    rate_after: float
    change_pct: float | None
    p_value: float | None


@dataclass
class ImpactReport:
    before: tuple[datetime, datetime]  # [start, end) in the jurisdiction's time zone
    after: tuple[datetime, datetime]
    days: float = 0.0  # the length of each period
    ongoing: bool = False  # the after period runs to now
    rates: list[AreaRate] = field(default_factory=list)
    median_hours_before: float | None = None
    median_hours_after: float | None = None
    resolution_p: float | None = None
    resolved_before: int = 0
    resolved_after: int = 0
    hotspot_counts: dict[str, int] = field(default_factory=dict)
    hotspot_geojson: dict[str, Any] = field(default_factory=dict)
    area_geojson: dict[str, Any] = field(default_factory=dict)


def periods(initiative: Initiative, now: datetime | None = None) -> tuple[tuple[datetime, datetime],
                                                                        tuple[datetime, datetime]]:
    """[start, end) instants. After: from the start day's midnight to the end of the end day, or to now when there
    is no end (or it has not come yet); days are those of the jurisdiction's TIME_ZONE. Before: the same length
    just before the start (empty when the initiative has not started)."""
    zone = timezone.get_default_timezone()
    now = now or timezone.now()
    a0 = _midnight(initiative.start, zone)
    a1 = min(_midnight(initiative.end + timedelta(days=1), zone), now) if initiative.end else now
    a1 = max(a1, a0)
    return (a0 - (a1 - a0), a0), (a0, a1)


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The day's local midnight, in UTC so that lengths are real time across a change of clocks."""
    return timezone.make_aware(datetime.combine(day, time.min), zone).astimezone(UTC)


def _rate_row(name: str, before: int, after: int, days: float) -> AreaRate:
    scale = DAYS_PER_RATE / days if days else 0.0
    p = float(stats.binomtest(after, before + after, 0.5).pvalue) if before + after else None
    change = (after - before) / before * 100 if before else None
    return AreaRate(name, before, after, before * scale, after * scale, change, p)


def initiative_impact(initiative: Initiative, cases: QuerySet[Case], now: datetime | None = None) -> ImpactReport:
    now = now or timezone.now()
    (b0, b1), (a0, a1) = periods(initiative, now)
    report = ImpactReport((b0, b1), (a0, a1), (a1 - a0).total_seconds() / 86400, ongoing=a1 == now)
    days = report.days
    area = shapely.from_wkb(bytes(initiative.area.wkb))
    shapely.prepare(area)
    service_ids = list(initiative.services.values_list("pk", flat=True))
    selected = cases.filter(lat__gte=initiative.area.min_lat, lat__lte=initiative.area.max_lat,
                            lon__gte=initiative.area.min_lon, lon__lte=initiative.area.max_lon,
                            created_at__gte=b0, created_at__lt=a1, merged_into__isnull=True)
    if service_ids:
        selected = selected.filter(service_id__in=service_ids)
    rows = list(selected.values_list("lat", "lon", "created_at", "resolved_at"))
    lats = np.array([r[0] for r in rows], dtype=float)
    lons = np.array([r[1] for r in rows], dtype=float)
    inside = shapely.intersects_xy(area, lons, lats) if rows else np.zeros(0, dtype=bool)
    after = np.array([r[2] >= a0 for r in rows], dtype=bool)
    report.rates.append(_rate_row(initiative.area.name, int((inside & ~after).sum()), int((inside & after).sum()),
                                  days))
    features = [_rate_feature(area, report.rates[0], "initiative")]
    for sub in _sub_areas(initiative.area, area):
        geom = shapely.from_wkb(bytes(sub.wkb))
        mask = inside & shapely.intersects_xy(geom, lons, lats) if rows else inside
        report.rates.append(_rate_row(sub.name, int((mask & ~after).sum()), int((mask & after).sum()), days))
        features.append(_rate_feature(shapely.intersection(geom, area), report.rates[-1], "part"))
    _resolution(report, rows, inside, after)
    _hotspot_changes(report, initiative.area, lats[inside], lons[inside], after[inside])
    report.area_geojson = {"type": "FeatureCollection", "features": features}
    return report


def _rate_feature(geometry: Any, rate: AreaRate, role: str) -> dict[str, Any]:
    """An area of the rate map: the initiative's outline, or one part of it shaded by its change in rate."""
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geometry), "properties": {
        "name": rate.name, "role": role, "before": rate.before, "after": rate.after,
        "rate_before": round(rate.rate_before, 2), "rate_after": round(rate.rate_after, 2),
        "change_pct": None if rate.change_pct is None else round(rate.change_pct, 1),
        "p_value": None if rate.p_value is None else round(rate.p_value, 4)}}


def _sub_areas(area: Area, geometry: Any) -> list[Area]:
    """Areas of the active generation that overlap the initiative's area, of the first type (in the area types'
    display order, the jurisdiction's own types left out) that has any: wards in the demo city."""
    key = active_generation_key()
    if key is None:
        return []
    types = AreaType.objects.filter(is_jurisdiction=False).exclude(slug=area.type_id).values_list("slug", flat=True)
    for area_type in types:
        found = [a for a in Area.objects.filter(
            type__slug=area_type, generation_low_id__lte=key[0], generation_high_id__gte=key[0],
            min_lon__lte=area.max_lon, max_lon__gte=area.min_lon, min_lat__lte=area.max_lat, max_lat__gte=area.min_lat)
            if shapely.intersection(shapely.from_wkb(bytes(a.wkb)), geometry).area > 0]
        if found:
            return found
    return []


def _resolution(report: ImpactReport, rows: list[tuple[Any, ...]], inside: np.ndarray, after: np.ndarray) -> None:
    hours_before: list[float] = []
    hours_after: list[float] = []
    for row, is_in, is_after in zip(rows, inside, after, strict=True):
        if is_in and row[3] is not None:
            (hours_after if is_after else hours_before).append((row[3] - row[2]).total_seconds() / 3600)
    report.resolved_before, report.resolved_after = len(hours_before), len(hours_after)
    if hours_before:
        report.median_hours_before = float(np.median(hours_before))
    if hours_after:
        report.median_hours_after = float(np.median(hours_after))
    if len(hours_before) >= 3 and len(hours_after) >= 3:
        report.resolution_p = float(stats.mannwhitneyu(hours_before, hours_after).pvalue)


def _hotspot_changes(report: ImpactReport, area: Area, lats: np.ndarray, lons: np.ndarray,
                     after: np.ndarray) -> None:
    """Gi* in both periods on the same grid: hot cells that appeared, persisted or vanished (95 % FDR)."""
    grid = Grid.over((area.min_lon, area.min_lat, area.max_lon, area.max_lat), 250.0)
    before_counts = grid.counts(lats[~after], lons[~after])
    after_counts = grid.counts(lats[after], lons[after])
    hot_before = hotspots(before_counts)
    hot_after = hotspots(after_counts)
    was = hot_before.level >= 2
    now = hot_after.level >= 2
    classes = {"appeared": now & ~was, "persisted": now & was, "vanished": was & ~now}
    report.hotspot_counts = {name: int(mask.sum()) for name, mask in classes.items()}
    features = []
    for name, mask in classes.items():
        for iy, ix in zip(*np.nonzero(mask), strict=True):
            features.append({"type": "Feature", "geometry": {"type": "Polygon",
                                                              "coordinates": grid.cell_polygon(ix, iy)},
                             "properties": {"change": name, "z_before": round(float(hot_before.z[iy, ix]), 2),
                                            "z_after": round(float(hot_after.z[iy, ix]), 2),
                                            "p_before": float(hot_before.p[iy, ix]),
                                            "p_after": float(hot_after.p[iy, ix])}})
    report.hotspot_geojson = {"type": "FeatureCollection", "features": features}
