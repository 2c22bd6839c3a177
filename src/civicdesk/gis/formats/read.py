"""Pick the boundary file reader from the name or contents (apart from base.py, which the readers import)."""

import zipfile
from pathlib import Path

from civicdesk.gis.formats import geojson, gpkg, shp
from civicdesk.gis.formats.base import BoundaryFileError, SourceData


def read_boundary_file(path: str | Path) -> SourceData:
    """Read GeoJSON, Shapefile (.shp or zipped) or GeoPackage, chosen by suffix and then by content."""
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
