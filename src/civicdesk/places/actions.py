"""Writes: import address points, streets or places from a file (batched, one transaction), bump the data version."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils import timezone
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from civicdesk.places.fields import place_kind, resolve_columns, split_address, street_class, text
from civicdesk.places.formats.base import PlacesFileError, Row, Source
from civicdesk.places.models import AddressPoint, Dataset, Place, Street

BATCH = 5000
MAX_REPORTED = 20
LAYERS = ("addresses", "streets", "places")
MODELS: dict[str, Any] = {"addresses": AddressPoint, "streets": Street, "places": Place}
WGS84 = CRS.from_epsg(4326)


@dataclass
class ImportReport:
    layer: str
    created: int = 0
    bad: int = 0
    replaced: int = 0
    problems: list[str] = field(default_factory=list)  # the first MAX_REPORTED bad rows, each with its reason
    crs: str = "WGS 84"

    def reject(self, reason: str) -> None:
        self.bad += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(reason)


def _transformer(crs: Any) -> Transformer | None:
    if crs is None:
        return None
    try:
        parsed = CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError) as exc:
        raise PlacesFileError(f"The coordinate reference system is not understood: {exc}") from exc
    if parsed.equals(WGS84, ignore_axis_order=True) or parsed.to_epsg() in (4326, 4269, 4258):  # ~WGS84 at 1 m
        return None
    return Transformer.from_crs(parsed, WGS84, always_xy=True)


def _to_wgs84(geometries: list[BaseGeometry], transformer: Transformer | None) -> np.ndarray:
    array = np.array(geometries, dtype=object)
    if transformer is None or not len(array):
        return array
    return shapely.transform(array, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _usable(geometry: BaseGeometry) -> str:
    """Why a WGS84 geometry cannot be stored, or ''."""
    coords = shapely.get_coordinates(geometry)
    if not len(coords) or not np.isfinite(coords).all():
        return "no usable coordinates (is the file's coordinate system declared?)"
    if (np.abs(coords[:, 1]) > 90).any() or (np.abs(coords[:, 0]) > 180).any():
        return "coordinates out of range for latitude/longitude (is the file's coordinate system declared?)"
    return ""


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_places(source: Source, *, layer: str, replace: bool = False, fields: dict[str, str] | None = None,
                  crs_override: Any = None, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Read every row, turn good ones into objects of the layer, insert them in batches; bad rows are counted.

    With replace, the layer's existing rows go first (in the same transaction: a failed import leaves them).
    """
    if layer not in LAYERS:
        raise PlacesFileError(f"Unknown layer '{layer}'; use one of: {', '.join(LAYERS)}.")
    columns = resolve_columns(layer, source.fields, fields or {})
    crs = crs_override or source.crs
    transformer = _transformer(crs)
    report = ImportReport(layer=layer, crs=CRS.from_user_input(crs).name if crs else "WGS 84")
    build: Any = {"streets": _street, "places": _place}.get(layer)
    model = MODELS[layer]
    with transaction.atomic():
        if replace:
            report.replaced = model.objects.all().delete()[0]
        for batch in _batches(source.rows, BATCH):
            good = [row for row in batch if not row.error and row.geometry is not None and not row.geometry.is_empty]
            for row in batch:
                if row.error:
                    report.reject(row.error)
                elif row.geometry is None or row.geometry.is_empty:
                    report.reject(f"{_describe(row, columns)}: no geometry")
            try:
                projected = _to_wgs84([row.geometry for row in good], transformer)
            except Exception as exc:  # a projection failure is a file problem, not a crash
                raise PlacesFileError(f"Cannot convert the coordinates to latitude/longitude: {exc}") from exc
            if layer == "addresses":
                report.created += _insert_addresses(good, projected, columns, report)
                if progress:
                    progress(len(batch))
                continue
            objects = []
            for row, geometry in zip(good, projected, strict=True):
                reason = _usable(geometry)
                made = None if reason else build(row.properties, geometry, columns)
                if isinstance(made, str) or made is None:
                    report.reject(f"{_describe(row, columns)}: {reason or made}")
                else:
                    objects.append(made)
            model.objects.bulk_create(objects, batch_size=1000)
            report.created += len(objects)
            if progress:
                progress(len(batch))
        bump_version()
    return report


def _describe(row: Row, columns: dict[str, str]) -> str:
    for role in ("label", "name", "street", "id"):
        value = text(row.properties, columns.get(role))
        if value:
            return f"'{value[:60]}'"
    return "a row"


def _bbox(geometry: BaseGeometry) -> dict[str, float]:
    w, s, e, n = geometry.bounds
    return {"min_lon": w, "min_lat": s, "max_lon": e, "max_lat": n}


ADDRESS_COLUMNS = ["number", "street", "unit", "postcode", "label", "lat", "lon", "source_id"]


def _insert_addresses(rows: list[Row], projected: np.ndarray, columns: dict[str, str], report: ImportReport) -> int:
    """Vectorised point checks, then one executemany: about ten times faster than model objects and bulk_create."""
    if not len(rows):
        return 0
    points = shapely.point_on_surface(projected)
    xs, ys = shapely.get_x(points), shapely.get_y(points)
    usable = np.isfinite(xs) & np.isfinite(ys) & (np.abs(ys) <= 90) & (np.abs(xs) <= 180)
    values = []
    for row, x, y, ok in zip(rows, xs.tolist(), ys.tolist(), usable.tolist(), strict=True):
        made = _address(row.properties, y, x, columns) if ok else (
            "coordinates out of range for latitude/longitude (is the file's coordinate system declared?)")
        if isinstance(made, str):
            report.reject(f"{_describe(row, columns)}: {made}")
        else:
            values.append(made)
    table = connection.ops.quote_name(AddressPoint._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in ADDRESS_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs, even pipelined ones
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(ADDRESS_COLUMNS))})",
                               values)
    return len(values)


def _address(props: dict[str, Any], lat: float, lon: float, columns: dict[str, str]) -> tuple[Any, ...] | str:
    number, street = text(props, columns.get("number")), text(props, columns.get("street"))
    label = text(props, columns.get("label"))
    if not street and label:
        parsed_number, street = split_address(label)
        number = number or parsed_number
    if not street:
        return "no street name"
    unit, postcode = text(props, columns.get("unit")), text(props, columns.get("postcode"))
    if not label or label == street:
        label = f"{number} {street}".strip() + (f", Unit {unit}" if unit else "")
    return (number[:20], street[:200], unit[:40], postcode[:20], label[:300], lat, lon,
            text(props, columns.get("id"))[:100])


def _street(props: dict[str, Any], geometry: BaseGeometry, columns: dict[str, str]) -> Street | str:
    if geometry.geom_type not in ("LineString", "MultiLineString"):
        return f"a street must be a line, not a {geometry.geom_type}"
    return Street(name=text(props, columns.get("name"))[:200], street_class=street_class(
        text(props, columns.get("class"))), wkb=shapely.to_wkb(geometry), source_id=text(
        props, columns.get("id"))[:100], **_bbox(geometry))


def _place(props: dict[str, Any], geometry: BaseGeometry, columns: dict[str, str]) -> Place | str:
    if geometry.geom_type not in ("Point", "Polygon", "MultiPolygon"):
        return f"a place must be a point or a polygon, not a {geometry.geom_type}"
    name = text(props, columns.get("name"))
    if not name:
        return "no name"
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    label = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return Place(name=name[:200], kind=place_kind(text(props, columns.get("kind"))),
                 address=text(props, columns.get("label"))[:300], wkb=shapely.to_wkb(geometry), lat=label.y,
                 lon=label.x, source_id=text(props, columns.get("id"))[:100], **_bbox(geometry))


def bump_version() -> int:
    """Tell every process that the places data changed (their search indexes and map caches reload)."""
    dataset, _ = Dataset.objects.select_for_update().get_or_create(pk=1)
    dataset.version += 1
    dataset.updated_at = timezone.now()
    dataset.save(update_fields=["version", "updated_at"])
    return dataset.version
