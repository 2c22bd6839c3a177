"""Map layers as GeoJSON: case points filtered by the shared CaseFilters (bbox, status, service, agency, days),
aggregated on the server into grid cells past MAX_POINTS; and boundaries of the active generation."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Max, Min, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.filters import BBox, CaseFilters, StatusGroup, bound_lookups, box_lookups, one_of
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.public import public_status_label
from civicdesk.gis.cells import CELL_DEGREES, ROW, cell_range
from civicdesk.gis.lookup import active_generation_key
from civicdesk.gis.models import RESERVED_TYPE_SLUG, Area, AreaType, CaseLocation
from civicdesk.gis.public import approximate_point, inside
from civicdesk.web.params import EARLIEST_DAY, LATEST_DAY, BadParameter, finite_float

MAX_POINTS = 5000
DEFAULT_GRID = 64
# What CaseLocation rows can be narrowed by (the rest of CaseFilters is not copied into that index table).
LOCATION_FILTERS = {"bbox", "statuses", "status_group", "services", "agency", "created_from", "created_to", "located"}


class FilterError(ValueError):
    """A map filter parameter that cannot be understood."""


@dataclass(frozen=True)
class MapLayout:
    """How the matching cases are drawn: points (aggregated past MAX_POINTS), or counts on a grid x grid grid."""

    aggregate: bool = False
    grid: int = DEFAULT_GRID


def parse_map_query(params: Any) -> tuple[CaseFilters, MapLayout]:
    """The map's GET parameters onto the shared vocabulary: bbox, status (a CaseStatus value, or "open" for the
    StatusGroup), service, agency, from and to (whole days); only located cases. Plus aggregate and grid."""
    status = params.get("status", "")
    if status and status != StatusGroup.OPEN and status not in CaseStatus.values:
        raise FilterError(f"Unknown status '{status}'.")
    bbox = parse_bbox(params["bbox"]) if params.get("bbox") else None
    days: dict[str, date] = {}
    for name in ("from", "to"):
        if params.get(name):
            try:
                day = date.fromisoformat(params[name])
                if not EARLIEST_DAY <= day <= LATEST_DAY:
                    raise ValueError(name)
                days[name] = day
            except ValueError as exc:
                raise FilterError(_("'%(name)s' must be a date like 2026-01-31, from %(low)s to %(high)s.") % {
                    "name": name, "low": EARLIEST_DAY, "high": LATEST_DAY}) from exc
    grid = DEFAULT_GRID
    if params.get("grid"):
        try:
            grid = max(4, min(int(params["grid"]), 256))
        except ValueError as exc:
            raise FilterError("grid must be a number of cells.") from exc
    service = params.get("service", "")
    filters = CaseFilters(
        statuses=(status,) if status and status != StatusGroup.OPEN else (),
        status_group=StatusGroup.OPEN if status == StatusGroup.OPEN else "",
        services=(service,) if service else (), agency=params.get("agency", ""), bbox=bbox,
        created_from=days.get("from"), created_to=days.get("to"), located=True)
    return filters, MapLayout(aggregate=params.get("aggregate") in ("1", "true", "grid"), grid=grid)


def parse_bbox(text: str) -> BBox:
    """min_lon,min_lat,max_lon,max_lat as finite numbers on the globe, min < max; else a FilterError."""
    parts = text.split(",")
    if len(parts) != 4:
        raise FilterError(_("bbox must be min_lon,min_lat,max_lon,max_lat."))
    try:
        min_lon, max_lon = (finite_float(parts[i], "bbox", low=-180, high=180) for i in (0, 2))
        min_lat, max_lat = (finite_float(parts[i], "bbox", low=-90, high=90) for i in (1, 3))
    except BadParameter as exc:
        raise FilterError(_("bbox must be min_lon,min_lat,max_lon,max_lat: finite longitudes from -180 to 180 and "
                            "latitudes from -90 to 90.")) from exc
    if min_lon >= max_lon or min_lat >= max_lat:
        raise FilterError(_("bbox must be min_lon,min_lat,max_lon,max_lat with min < max."))
    return BBox(min_lon, min_lat, max_lon, max_lat)


def location_rows(scope: QuerySet[Case] | None, filters: CaseFilters, *,
                  exact: bool = True) -> QuerySet[CaseLocation]:
    """CaseLocation rows matching the filters; scope (a visible_cases queryset) limits them for staff.

    With exact=False the bbox narrows by grid rows only, so grouping by cell reads nothing but an index; callers
    then drop the cells outside the bbox's columns (aggregates are per cell anyway).
    """
    unsupported = filters.narrowing() - LOCATION_FILTERS
    if unsupported:
        raise ValueError(f"Map locations cannot be filtered by {', '.join(sorted(unsupported))}.")
    rows = CaseLocation.objects.all()
    if scope is not None:
        rows = rows.filter(case_id__in=scope.values("pk"))
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        low, high = cell_range(min_lat, max_lat)
        rows = rows.filter(cell__gte=low, cell__lte=high)
        if exact:
            rows = rows.filter(**box_lookups(filters.bbox))
    if filters.status_group:  # "IN (1)" lets SQLite use the (is_open, cell) index, a bare column not
        rows = rows.filter(is_open__in=[filters.status_group == StatusGroup.OPEN])
    if filters.statuses:
        rows = rows.filter(**one_of("status", filters.statuses))
    if len(filters.services) == 1:
        rows = rows.filter(service_id=Service.objects.filter(code=filters.services[0]).values("pk")[:1])
    elif filters.services:
        rows = rows.filter(service_id__in=Service.objects.filter(code__in=filters.services).values("pk"))
    if filters.agency:
        rows = rows.filter(agency_id=Agency.objects.filter(slug=filters.agency).values("pk")[:1])
    created = bound_lookups("created_at", filters.created_from, filters.created_to)
    return rows.filter(**created) if created else rows


def cases_geojson(scope: QuerySet[Case] | None, filters: CaseFilters, layout: MapLayout = MapLayout(), *,
                  public: bool) -> dict[str, Any]:
    """Points with public fields only (no names, contacts or text), or grid cells with counts past MAX_POINTS."""
    rows = location_rows(scope, filters)
    if not layout.aggregate and rows[:MAX_POINTS + 1].count() <= MAX_POINTS:  # stops counting past the limit
        points = list(rows.order_by("-created_at").values_list(
            "case__number", "case__public_id", "lat", "lon", "status", "service__name", "created_at",
            "service__translations"))
        features = [_point(r, public) for r in points]
        if public:  # drawn at their approximate points: a narrowing bbox must not find the exact ones
            features = [f for f in features if inside(filters.bbox, *reversed(f["geometry"]["coordinates"]))]
        return {"type": "FeatureCollection", "properties": {"aggregated": False, "count": len(features)},
                "features": features}
    return aggregate(location_rows(scope, filters, exact=False), filters, layout.grid)


def _point(row: tuple[Any, ...], public: bool) -> dict[str, Any]:
    number, public_id, lat, lon, status, service, created, translations = row
    service = ((translations or {}).get(get_language() or "", {}).get("name") or service) if service else ""
    props = {"number": number, "status": status, "service": service, "created": created.date().isoformat()}
    if public:  # the public request page, by the random public id; an approximate point, in residents' words
        lat, lon = approximate_point(lat, lon)
        props.update(status_name=public_status_label(status), url=f"/requests/{public_id}/")
    else:
        props.update(status_name=str(CaseStatus(status).label), url=f"/staff/cases/{number}/")
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": props}


def extent_of(rows: QuerySet[CaseLocation], filters: CaseFilters) -> tuple[float, float, float, float] | None:
    """The bbox filter, else the active boundaries' extent, else the extent of the rows."""
    if filters.bbox:
        return filters.bbox
    key = active_generation_key()
    if key:
        found = Area.objects.filter(generation_low_id__lte=key[0], generation_high_id__gte=key[0]).aggregate(
            Min("min_lon"), Min("min_lat"), Max("max_lon"), Max("max_lat"))
        box = [found["min_lon__min"], found["min_lat__min"], found["max_lon__max"], found["max_lat__max"]]
    else:
        found = rows.aggregate(Min("lon"), Min("lat"), Max("lon"), Max("lat"))
        box = [found["lon__min"], found["lat__min"], found["lon__max"], found["lat__max"]]
    if None in box or box[0] == box[2] or box[1] == box[3]:
        return None
    return box[0], box[1], box[2], box[3]


def cell_counts(rows: QuerySet[CaseLocation]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, count) per base grid cell, grouped in the database over the (is_open, cell) / cell indexes."""
    grouped = np.array(list(rows.order_by().values_list("cell").annotate(n=Count("*"))), dtype=np.int64)  # index only
    if not len(grouped):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return grouped[:, 0] // ROW, grouped[:, 0] % ROW, grouped[:, 1]


def aggregate(rows: QuerySet[CaseLocation], filters: CaseFilters, grid: int = DEFAULT_GRID) -> dict[str, Any]:
    """Counts on a grid x grid display grid over the extent, summed from base cell counts."""
    extent = extent_of(rows, filters)
    if extent is None:
        return {"type": "FeatureCollection", "properties": {"aggregated": True, "count": 0}, "features": []}
    min_lon, min_lat, max_lon, max_lat = extent
    n = grid
    dx, dy = (max_lon - min_lon) / n, (max_lat - min_lat) / n
    r, c, counts = cell_counts(rows)
    lat = (r + 0.5) * CELL_DEGREES - 90
    lon = (c + 0.5) * CELL_DEGREES - 180
    keep = (lon >= min_lon - CELL_DEGREES / 2) & (lon <= max_lon + CELL_DEGREES / 2)
    lat, lon, counts = lat[keep], lon[keep], counts[keep]
    gx = np.clip(np.floor((lon - min_lon) / dx), 0, n - 1).astype(np.int64)
    gy = np.clip(np.floor((lat - min_lat) / dy), 0, n - 1).astype(np.int64)
    totals = np.bincount(gy * n + gx, weights=counts, minlength=n * n)
    features = []
    for cell in np.flatnonzero(totals):
        iy, ix = divmod(int(cell), n)
        w, s = min_lon + ix * dx, min_lat + iy * dy
        features.append({"type": "Feature", "properties": {"count": int(totals[cell])}, "geometry": {
            "type": "Polygon", "coordinates": [[[w, s], [w + dx, s], [w + dx, s + dy], [w, s + dy], [w, s]]]}})
    return {"type": "FeatureCollection", "features": features, "properties": {
        "aggregated": True, "count": int(counts.sum()), "cell": [dx, dy], "base_cell": CELL_DEGREES}}


JURISDICTION = RESERVED_TYPE_SLUG  # ?type=jurisdiction: the areas of the types marked as the jurisdiction's boundary


def areas_geojson(area_type: str = "") -> dict[str, Any]:
    """The active generation's boundaries as GeoJSON, jurisdiction last so it draws on top; ?type= takes one slug,
    a comma-separated list, or "jurisdiction"."""
    key = active_generation_key()
    if key is None:
        return {"type": "FeatureCollection", "features": []}
    areas = Area.objects.filter(generation_low_id__lte=key[0], generation_high_id__gte=key[0])
    if area_type == JURISDICTION:
        areas = areas.filter(type__is_jurisdiction=True)
    elif area_type:
        areas = areas.filter(type_id__in=area_type.split(",")[:20])
    features = []
    for area in areas.select_related("type", "agency").order_by("-type__display_order", "name", "id"):
        geometry = shapely.simplify(shapely.from_wkb(bytes(area.wkb)), 0.00005, preserve_topology=True)
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geometry), "properties": {
            "id": area.pk, "name": area.name, "type": area.type_id, "type_name": area.type.name,
            "colour": area.type.colour, "jurisdiction": area.type.is_jurisdiction, "order": area.type.display_order,
            "agency": area.agency.name if area.agency else ""}})
    return {"type": "FeatureCollection", "features": features}


def boundary_key() -> list[dict[str, Any]]:
    """The map key's boundary entries: each area type with areas in the active generation, drawn as common.js draws
    it (the jurisdiction's types solid and thick, the others dashed, each in its type's colour)."""
    key = active_generation_key()
    if key is None:
        return []
    types = (AreaType.objects.filter(areas__generation_low_id__lte=key[0], areas__generation_high_id__gte=key[0])
             .distinct().order_by("-is_jurisdiction", "display_order", "name"))
    return [{"name": t.plural, "colour": t.colour, "jurisdiction": t.is_jurisdiction} for t in types]


def grid_counts(rows: QuerySet[CaseLocation], grid: Any) -> np.ndarray:
    """Counts per cell of a base-aligned hotspots.Grid (Grid.base), from the database's per-cell counts."""
    counts = np.zeros((grid.ny, grid.nx))
    r, c, n = cell_counts(rows)
    iy = (r - grid.row0) // grid.k
    ix = (c - grid.col0) // grid.k
    keep = (iy >= 0) & (iy < grid.ny) & (ix >= 0) & (ix < grid.nx)
    np.add.at(counts, (iy[keep], ix[keep]), n[keep])
    return counts
