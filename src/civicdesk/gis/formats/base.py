"""What every boundary file reader returns, and picking the reader from the file's name or contents."""

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry


class BoundaryFileError(ValueError):
    """The file cannot be read as a boundary set; nothing was imported."""


@dataclass
class SourceFeature:
    properties: dict[str, Any]
    geometry: BaseGeometry | None


@dataclass
class SourceData:
    features: list[SourceFeature]
    crs: Any = None  # anything pyproj.CRS.from_user_input takes; None means WGS84 (RFC 7946)
    fields: list[str] = field(default_factory=list)


def read_boundary_file(path: str | Path) -> SourceData:
    """Read GeoJSON, Shapefile (.shp or zipped) or GeoPackage, chosen by suffix and then by content."""
    from civicdesk.gis.formats import geojson, gpkg, shp

    path = Path(path)
    if not path.is_file():
        raise BoundaryFileError(f"No such file: {path.name}")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(16)
    try:
        if suffix == ".gpkg" or head.startswith(b"SQLite format 3"):
            return gpkg.read_gpkg(path)
        if suffix == ".zip" or zipfile.is_zipfile(path):
            return shp.read_zipped_shapefile(path)
        if suffix == ".shp":
            return shp.read_shapefile(path)
        if suffix in (".json", ".geojson") or head.lstrip()[:1] in (b"{", b"["):
            return geojson.read_geojson(path)
    except BoundaryFileError:
        raise
    except Exception as exc:  # any reader failure becomes a clear, single message
        raise BoundaryFileError(f"Cannot read {path.name}: {type(exc).__name__}: {exc}") from exc
    raise BoundaryFileError(f"{path.name}: unknown format; use GeoJSON, a Shapefile (.shp or .zip) or a GeoPackage.")
