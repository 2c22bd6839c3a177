"""Readers for GeoJSON, Shapefile (.shp or zipped, through pyshp), GeoPackage (sqlite3 + GPKG binary) and CSV."""

import csv
import io
import json
import math
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import shapefile
import shapely
from shapely.geometry import shape

from civicdesk.gis.formats.base import BoundaryFileError
from civicdesk.gis.formats.gpkg import decode_gpkg_geometry
from civicdesk.places.formats.base import PlacesFileError, Row, Source

LAT_COLUMNS = ("lat", "latitude", "lat_wgs84", "y", "point_y", "ycoord", "y_coord")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "lon_wgs84", "x", "point_x", "xcoord", "x_coord")


def read_places_file(path: str | Path, *, table: str | None = None) -> Source:
    """Choose the reader by suffix, then by content; any failure to open becomes one PlacesFileError."""
    path = Path(path)
    if not path.is_file():
        raise PlacesFileError(f"No such file: {path}")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(16)
    try:
        if suffix == ".gpkg" or head.startswith(b"SQLite format 3"):
            return read_gpkg(path, table)
        if suffix == ".zip" or zipfile.is_zipfile(path):
            return read_zipped_shapefile(path)
        if suffix == ".shp":
            return read_shapefile(path)
        if suffix in (".json", ".geojson") or head.lstrip()[:1] in (b"{", b"["):
            return read_geojson(path)
        if suffix in (".csv", ".txt", ".tsv"):
            return read_csv(path)
    except PlacesFileError:
        raise
    except Exception as exc:  # one clear message, never a traceback
        raise PlacesFileError(f"Cannot read {path.name}: {type(exc).__name__}: {exc}") from exc
    raise PlacesFileError(f"{path.name}: unknown format; use GeoJSON, a Shapefile (.shp or .zip), a GeoPackage "
                          f"(.gpkg) or a CSV file with latitude and longitude columns.")


def read_geojson(path: Path) -> Source:
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlacesFileError(f"{path.name} is not valid JSON: {exc}") from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise PlacesFileError(f"{path.name}: expected a GeoJSON FeatureCollection.")
    crs = None
    if isinstance(data.get("crs"), dict):
        crs = (data["crs"].get("properties") or {}).get("name") or None
    features = data["features"]
    fields: list[str] = []
    for item in features[:50]:
        for key in (item.get("properties") or {}) if isinstance(item, dict) else ():
            if key not in fields:
                fields.append(key)

    def rows() -> Iterator[Row]:
        for number, item in enumerate(features, start=1):
            if not isinstance(item, dict):
                yield Row({}, None, f"feature {number} is not an object")
                continue
            props = item.get("properties") or {}
            try:
                geometry = shape(item["geometry"]) if item.get("geometry") else None
            except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException) as exc:
                yield Row(props, None, f"feature {number}: unreadable geometry ({exc})")
                continue
            yield Row(props, geometry)

    return Source(rows(), len(features), crs, fields)


def _shapefile_source(shp: IO[bytes], dbf: IO[bytes], shx: IO[bytes] | None, prj: str | None, label: str) -> Source:
    try:
        reader = shapefile.Reader(shp=shp, dbf=dbf, shx=shx)
    except shapefile.ShapefileException as exc:
        raise PlacesFileError(f"{label}: not a readable shapefile: {exc}") from exc
    fields = [f[0] for f in reader.fields[1:]]

    def rows() -> Iterator[Row]:
        for number, record in enumerate(reader.iterShapeRecords(), start=1):
            props = dict(record.record.as_dict())
            if record.shape.shapeType == shapefile.NULL:
                yield Row(props, None)
                continue
            try:
                yield Row(props, shape(record.shape.__geo_interface__))
            except Exception as exc:  # a broken record is one bad row
                yield Row(props, None, f"record {number}: unreadable geometry ({exc})")

    return Source(rows(), len(reader), prj, fields)


def read_shapefile(path: Path) -> Source:
    siblings = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*")}
    if ".dbf" not in siblings:
        raise PlacesFileError(f"{path.name}: the .dbf file with the attributes is missing beside it.")
    prj = siblings[".prj"].read_text(errors="replace") if ".prj" in siblings else None
    # read into memory: the rows are consumed after this function returns
    shx = io.BytesIO(siblings[".shx"].read_bytes()) if ".shx" in siblings else None
    return _shapefile_source(io.BytesIO(path.read_bytes()), io.BytesIO(siblings[".dbf"].read_bytes()), shx, prj,
                             path.name)


def read_zipped_shapefile(path: Path) -> Source:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.startswith("__MACOSX")]
        shps = [n for n in names if n.lower().endswith(".shp")]
        if len(shps) != 1:
            raise PlacesFileError(f"{path.name}: expected exactly one .shp in the archive, found {len(shps)}.")
        stem = shps[0][:-4]
        parts = {n[len(stem):].lower(): n for n in names if n.startswith(stem) and len(n) == len(stem) + 4}
        if ".dbf" not in parts:
            raise PlacesFileError(f"{path.name}: the .dbf file with the attributes is missing from the archive.")

        def member(ext: str) -> io.BytesIO | None:
            return io.BytesIO(archive.read(parts[ext])) if ext in parts else None

        prj = archive.read(parts[".prj"]).decode("utf-8", "replace") if ".prj" in parts else None
        return _shapefile_source(member(".shp"), member(".dbf"), member(".shx"), prj,  # type: ignore[arg-type]
                                 path.name)


def read_gpkg(path: Path, table: str | None = None) -> Source:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = db.execute("SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN "
                            "gpkg_geometry_columns g ON g.table_name = c.table_name "
                            "WHERE c.data_type = 'features' ORDER BY c.table_name").fetchall()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise PlacesFileError(f"{path.name}: not a GeoPackage (no gpkg_contents/gpkg_geometry_columns).") from exc
    names = ", ".join(t[0] for t in tables) or "none"
    if table:
        tables = [t for t in tables if t[0] == table]
    if len(tables) != 1:
        db.close()
        raise PlacesFileError(f"{path.name}: choose one feature table with --table; the file has: {names}.")
    table_name, column, srs_id = tables[0]
    definition = db.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                            "WHERE srs_id = ?", (srs_id,)).fetchone()
    crs: Any = None
    if definition:
        organization, code, wkt = definition
        if wkt and wkt.strip().lower() != "undefined":
            crs = wkt
        elif organization and code and int(code) > 0:
            crs = f"{organization}:{code}"
    quoted = '"' + table_name.replace('"', '""') + '"'
    total = db.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
    cursor = db.execute(f"SELECT * FROM {quoted}")
    columns = [d[0] for d in cursor.description]
    fields = [c for c in columns if c not in (column, "fid")]

    def rows() -> Iterator[Row]:
        try:
            for number, values in enumerate(cursor, start=1):
                record = dict(zip(columns, values, strict=True))
                blob = record.pop(column)
                record.pop("fid", None)
                try:
                    geometry, _srs = decode_gpkg_geometry(blob)
                except (BoundaryFileError, shapely.errors.GEOSException, ValueError) as exc:
                    yield Row(record, None, f"row {number}: unreadable geometry ({exc})")
                    continue
                yield Row(record, geometry)
        finally:
            db.close()

    return Source(rows(), total, crs, fields)


def _column(fields: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {f.strip().lower(): f for f in fields}
    return next((lowered[c] for c in candidates if c in lowered), None)


def _numbers(values: list[Any]) -> list[float]:
    found = []
    for value in values:
        try:
            found.append(float(value))
        except (TypeError, ValueError):
            found.append(math.nan)
    return found


def read_csv(path: Path) -> Source:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    tabs = path.suffix.lower() == ".tsv" or "\t" in text.split("\n", 1)[0]
    dialect: Any = csv.excel_tab if tabs else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = list(reader.fieldnames or [])
    lat_col, lon_col = _column(fields, LAT_COLUMNS), _column(fields, LON_COLUMNS)
    missing = [what for what, col in (("latitude", lat_col), ("longitude", lon_col)) if col is None]
    if missing:
        raise PlacesFileError(
            f"{path.name}: no {' or '.join(missing)} column. Name them one of: latitude {', '.join(LAT_COLUMNS)}; "
            f"longitude {', '.join(LON_COLUMNS)}. The columns found are: {', '.join(fields) or 'none'}.")
    records = list(reader)
    assert lat_col and lon_col
    ys, xs = _numbers([r.get(lat_col) for r in records]), _numbers([r.get(lon_col) for r in records])
    points = shapely.points(xs, ys)  # one call for the whole file; NaN where a value is not a number

    def rows() -> Iterator[Row]:
        for number, (record, point) in enumerate(zip(records, points, strict=True), start=2):  # spreadsheet lines
            props = {k: v for k, v in record.items() if k not in (lat_col, lon_col) and k is not None}
            if point is None or not math.isfinite(point.x) or not math.isfinite(point.y):
                yield Row(props, None, f"line {number}: {lat_col}/{lon_col} are not numbers")
            else:
                yield Row(props, point)

    return Source(rows(), len(records), None, [f for f in fields if f not in (lat_col, lon_col)])
