"""GeoJSON boundary files: RFC 7946 (WGS84) plus the older `crs` member some tools still write."""

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from civicdesk.gis.formats.base import BoundaryFileError, SourceData, SourceFeature


def read_geojson(path: Path) -> SourceData:
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BoundaryFileError(f"{path.name} is not valid JSON: {exc}") from exc
    return parse_geojson(data, path.name)


def parse_geojson(data: Any, label: str = "GeoJSON") -> SourceData:
    if not isinstance(data, dict):
        raise BoundaryFileError(f"{label}: expected a GeoJSON object.")
    kind = data.get("type")
    if kind == "FeatureCollection":
        raw_features = data.get("features")
    elif kind == "Feature":
        raw_features = [data]
    else:
        raise BoundaryFileError(f"{label}: expected a FeatureCollection or Feature, got {kind!r}.")
    if not isinstance(raw_features, list):
        raise BoundaryFileError(f"{label}: 'features' must be a list.")
    crs = None
    crs_member = data.get("crs")
    if isinstance(crs_member, dict):
        crs = (crs_member.get("properties") or {}).get("name")
        if not crs:
            raise BoundaryFileError(f"{label}: the 'crs' member has no name.")
    features: list[SourceFeature] = []
    fields: list[str] = []
    for number, item in enumerate(raw_features, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            raise BoundaryFileError(f"{label}: item {number} is not a Feature.")
        props = item.get("properties") or {}
        for key in props:
            if key not in fields:
                fields.append(key)
        geometry_data = item.get("geometry")
        try:
            geometry = shape(geometry_data) if geometry_data else None
        except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException) as exc:
            raise BoundaryFileError(f"{label}: feature {number} has an unreadable geometry: {exc}") from exc
        features.append(SourceFeature(dict(props), geometry))
    return SourceData(features, crs, fields)


def write_geojson(path: Path, features: list[SourceFeature], crs: str | None = None) -> None:
    """Write features; with a non-WGS84 crs the legacy `crs` member names it (for tests and exports)."""
    data: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": f.properties,
             "geometry": shapely.geometry.mapping(f.geometry) if f.geometry is not None else None}
            for f in features
        ],
    }
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data))
