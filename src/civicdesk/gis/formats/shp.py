"""Shapefiles (.shp/.shx/.dbf/.prj, plain or zipped) through the pure-Python pyshp package."""

import io
import zipfile
from pathlib import Path
from typing import IO, Any

import shapefile
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

from civicdesk.gis.formats.base import BoundaryFileError, SourceData, SourceFeature


def _read(shp: IO[bytes], dbf: IO[bytes], shx: IO[bytes] | None, prj: str | None, label: str) -> SourceData:
    try:
        reader = shapefile.Reader(shp=shp, dbf=dbf, shx=shx)
    except shapefile.ShapefileException as exc:
        raise BoundaryFileError(f"{label}: not a readable shapefile: {exc}") from exc
    if reader.shapeType not in (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM, shapefile.NULL):
        raise BoundaryFileError(f"{label}: boundaries must be polygons, not shape type {reader.shapeTypeName}.")
    fields = [f[0] for f in reader.fields[1:]]
    features = []
    for record in reader.iterShapeRecords():
        geometry = None if record.shape.shapeType == shapefile.NULL else shape(record.shape.__geo_interface__)
        features.append(SourceFeature(dict(record.record.as_dict()), geometry))
    return SourceData(features, prj, fields)


def read_shapefile(path: Path) -> SourceData:
    siblings = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*")}
    if ".dbf" not in siblings:
        raise BoundaryFileError(f"{path.name}: the .dbf file with the attributes is missing.")
    prj = siblings[".prj"].read_text(errors="replace") if ".prj" in siblings else None
    with siblings[".dbf"].open("rb") as dbf, path.open("rb") as shp:
        shx = siblings[".shx"].open("rb") if ".shx" in siblings else None
        try:
            return _read(shp, dbf, shx, prj, path.name)
        finally:
            if shx:
                shx.close()


def read_zipped_shapefile(path: Path) -> SourceData:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.startswith("__MACOSX")]
        shps = [n for n in names if n.lower().endswith(".shp")]
        if len(shps) != 1:
            raise BoundaryFileError(f"{path.name}: expected exactly one .shp in the archive, found {len(shps)}.")
        stem = shps[0][:-4]
        parts = {n[len(stem):].lower(): n for n in names if n.startswith(stem) and len(n) == len(stem) + 4}
        if ".dbf" not in parts:
            raise BoundaryFileError(f"{path.name}: the .dbf file with the attributes is missing from the archive.")

        def member(ext: str) -> io.BytesIO | None:
            return io.BytesIO(archive.read(parts[ext])) if ext in parts else None

        prj = archive.read(parts[".prj"]).decode("utf-8", "replace") if ".prj" in parts else None
        return _read(member(".shp"), member(".dbf"), member(".shx"), prj, path.name)  # type: ignore[arg-type]


def write_shapefile(path: Path, features: list[SourceFeature], crs: Any = None) -> None:
    """Write polygon features and a .prj (ESRI WKT) for crs; exteriors clockwise as the format wants."""
    with shapefile.Writer(str(path.with_suffix("")), shapeType=shapefile.POLYGON) as writer:
        keys = sorted({k for f in features for k in f.properties})
        for key in keys:
            writer.field(key[:10], "C", size=100)
        for feature in features:
            polygons = [] if feature.geometry is None else (
                list(feature.geometry.geoms) if isinstance(feature.geometry, MultiPolygon) else [feature.geometry])
            rings = []
            for polygon in polygons:
                assert isinstance(polygon, Polygon)
                oriented = orient(polygon, sign=-1.0)
                rings.append([list(c) for c in oriented.exterior.coords])
                rings.extend([list(c) for c in hole.coords] for hole in oriented.interiors)
            if rings:
                writer.poly(rings)
            else:
                writer.null()
            writer.record(**{k[:10]: str(feature.properties.get(k, "")) for k in keys})
    if crs is not None:
        wkt = CRS.from_user_input(crs).to_wkt("WKT1_ESRI")
        path.with_suffix(".prj").write_text(wkt)
