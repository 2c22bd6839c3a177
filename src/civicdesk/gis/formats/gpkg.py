"""GeoPackage (SQLite + GPKG binary geometry) read with sqlite3 and shapely; written for round trips."""

import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from civicdesk.gis.formats.base import BoundaryFileError, SourceData, SourceFeature

ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
GPKG_APPLICATION_ID = 0x47504B47


def decode_gpkg_geometry(blob: bytes | None) -> tuple[BaseGeometry | None, int]:
    """(geometry, srs_id) from a GeoPackage binary blob: 'GP', version, flags, srs_id, envelope, WKB."""
    if blob is None:
        return None, 0
    blob = bytes(blob)
    if len(blob) < 8 or blob[:2] != b"GP":
        raise BoundaryFileError("A geometry is not GeoPackage binary (missing the 'GP' header).")
    flags = blob[3]
    if flags & 0b0010_0000:
        raise BoundaryFileError("Extended GeoPackage geometry types are not supported.")
    little_endian = flags & 1
    envelope = (flags >> 1) & 0b111
    if envelope not in ENVELOPE_BYTES:
        raise BoundaryFileError(f"Invalid GeoPackage envelope indicator {envelope}.")
    (srs_id,) = struct.unpack("<i" if little_endian else ">i", blob[4:8])
    if flags & 0b0001_0000:  # empty geometry flag
        return None, srs_id
    wkb = blob[8 + ENVELOPE_BYTES[envelope]:]
    return shapely.from_wkb(wkb), srs_id


def encode_gpkg_geometry(geometry: BaseGeometry, srs_id: int) -> bytes:
    """A little-endian GeoPackage blob with an xy envelope."""
    minx, miny, maxx, maxy = geometry.bounds
    header = b"GP" + bytes([0, 0b0000_0011]) + struct.pack("<i", srs_id) + struct.pack("<4d", minx, maxx, miny, maxy)
    return header + shapely.to_wkb(geometry, byte_order=1)


def read_gpkg(path: Path, table: str | None = None) -> SourceData:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BoundaryFileError(f"{path.name}: cannot open the GeoPackage: {exc}") from exc
    try:
        try:
            rows = db.execute("SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns").fetchall()
        except sqlite3.DatabaseError as exc:
            raise BoundaryFileError(f"{path.name}: not a GeoPackage (no gpkg_geometry_columns): {exc}") from exc
        if table:
            rows = [r for r in rows if r[0] == table]
        if len(rows) != 1:
            names = ", ".join(r[0] for r in rows) or "none"
            raise BoundaryFileError(f"{path.name}: expected one feature table, found: {names}.")
        table_name, column, srs_id = rows[0]
        definition = db.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                                "WHERE srs_id = ?", (srs_id,)).fetchone()
        crs = _crs_of(definition, srs_id, path.name)
        cursor = db.execute(f'SELECT * FROM "{table_name.replace(chr(34), "")}"')
        columns = [d[0] for d in cursor.description]
        fields = [c for c in columns if c not in (column, "fid")]
        features = []
        for row in cursor:
            record = dict(zip(columns, row, strict=True))
            geometry, _ = decode_gpkg_geometry(record.pop(column))
            record.pop("fid", None)
            features.append(SourceFeature(record, geometry))
        return SourceData(features, crs, fields)
    except sqlite3.DatabaseError as exc:
        raise BoundaryFileError(f"{path.name}: unreadable GeoPackage: {exc}") from exc
    finally:
        db.close()


def _crs_of(definition: tuple[Any, ...] | None, srs_id: int, label: str) -> Any:
    if definition is None:
        raise BoundaryFileError(f"{label}: srs_id {srs_id} is not in gpkg_spatial_ref_sys.")
    organization, code, wkt = definition
    if wkt and wkt.strip().lower() != "undefined":
        return wkt
    if organization and code and int(code) > 0:
        return f"{organization}:{code}"
    raise BoundaryFileError(f"{label}: the coordinate reference system is undefined (srs_id {srs_id}).")


def write_gpkg(path: Path, features: list[SourceFeature], crs: Any = "EPSG:4326", table: str = "boundaries") -> None:
    """A minimal valid GeoPackage with one polygon feature table."""
    crs_obj = CRS.from_user_input(crs)
    epsg = crs_obj.to_epsg() or 0
    srs_id = epsg or 100000
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        db.execute("PRAGMA user_version = 10400")
        db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
                   "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
                   "description TEXT)")
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, "
                   "description TEXT DEFAULT '', last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE, "
                   "max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)")
        db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
                   "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
                   "PRIMARY KEY (table_name, column_name))")
        db.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", ""),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", ""),
            (crs_obj.name, srs_id, "EPSG" if epsg else "NONE", epsg or srs_id, crs_obj.to_wkt("WKT1_GDAL"), ""),
        ] if srs_id != 4326 else [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", ""),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", ""),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, crs_obj.to_wkt("WKT1_GDAL"), ""),
        ])
        keys = sorted({k for f in features for k in f.properties})
        columns = "".join(f', "{k}" TEXT' for k in keys)
        db.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB{columns})')
        geoms = [f.geometry for f in features if f.geometry is not None]
        bounds = shapely.total_bounds(geoms) if geoms else (None,) * 4
        db.execute("INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', ?, ?, ?, ?, ?, ?)",
                   (table, table, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"), *bounds, srs_id))
        db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)", (table, srs_id))
        placeholders = ", ".join("?" for _ in range(len(keys) + 1))
        names = "".join(f', "{k}"' for k in keys)
        db.executemany(f'INSERT INTO "{table}" (geom{names}) VALUES ({placeholders})', [
            (encode_gpkg_geometry(f.geometry, srs_id) if f.geometry is not None else None,
             *[None if f.properties.get(k) is None else str(f.properties[k]) for k in keys])
            for f in features
        ])
        db.commit()
    finally:
        db.close()
