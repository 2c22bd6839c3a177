"""Geometry helpers: reprojection to WGS84, repair of invalid polygons, coordinate checks and distances."""

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

WGS84 = CRS.from_epsg(4326)
GEOD = Geod(ellps="WGS84")
EARTH_RADIUS_M = 6371008.8


class GeometryError(ValueError):
    """A geometry or coordinate that cannot be used; the message says which and why."""


def parse_crs(value: object) -> CRS:
    """Any CRS a file may declare (EPSG code, URN, OGC URN, WKT, PROJ string), or a clear error."""
    try:
        return CRS.from_user_input(value)
    except (CRSError, TypeError, ValueError) as exc:
        raise GeometryError(f"Unknown coordinate reference system: {str(value)[:120]!r}.") from exc


def to_wgs84(geometry: BaseGeometry, crs: CRS) -> BaseGeometry:
    """Reproject into WGS84 longitude/latitude (always x=lon, y=lat)."""
    if crs.equals(WGS84, ignore_axis_order=True):
        return geometry
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


def polygonal_part(geometry: BaseGeometry) -> Polygon | MultiPolygon | None:
    """The polygons of a geometry (make_valid can return lines and points along with them)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts: list[Polygon] = []
    for part in getattr(geometry, "geoms", []):
        found = polygonal_part(part)
        if isinstance(found, Polygon):
            parts.append(found)
        elif isinstance(found, MultiPolygon):
            parts.extend(found.geoms)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


@dataclass
class CleanGeometry:
    geometry: Polygon | MultiPolygon
    repaired: bool
    repair_reason: str = ""


def clean_boundary(geometry: BaseGeometry | None, label: str) -> CleanGeometry:
    """Check a WGS84 boundary: polygonal, non-empty, finite, in range; repair it with make_valid if invalid."""
    if geometry is None or geometry.is_empty:
        raise GeometryError(f"{label}: the geometry is empty.")
    if geometry.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        raise GeometryError(f"{label}: a boundary must be a polygon or multipolygon, not {geometry.geom_type}.")
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        raise GeometryError(f"{label}: the geometry has coordinates that are not numbers (bad or unknown CRS?).")
    check_lonlat_ranges(coords, label)
    repaired, reason = False, ""
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        geometry = shapely.make_valid(geometry)
        repaired = True
    polygons = polygonal_part(geometry)
    if polygons is None or polygons.is_empty:
        raise GeometryError(f"{label}: nothing polygonal is left after repair ({reason}).")
    return CleanGeometry(polygons, repaired, reason)


def check_lonlat_ranges(coords: np.ndarray, label: str) -> None:
    lon, lat = coords[:, 0], coords[:, 1]
    if (np.abs(lat) > 90).any():
        if (np.abs(lon) <= 90).all() and (np.abs(lat) <= 180).all():
            raise GeometryError(f"{label}: latitude out of range; the coordinates look like (lat, lon) instead of "
                                "(lon, lat). GeoJSON is longitude first.")
        raise GeometryError(f"{label}: coordinates out of range for WGS84 (is the CRS declared?).")
    if (np.abs(lon) > 180).any():
        raise GeometryError(f"{label}: longitude out of range for WGS84 (is the CRS declared?).")


def geodesic_area_m2(geometry: BaseGeometry) -> float:
    """Area on the ellipsoid; rings are oriented first so holes are subtracted whatever their winding."""
    polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    total = 0.0
    for polygon in polygons:
        area, _ = GEOD.geometry_area_perimeter(orient(polygon, sign=1.0))
        total += abs(float(area))
    return total


def validate_point(lat: object, lon: object) -> tuple[float, float]:
    """A (lat, lon) pair as floats, or GeometryError saying what is wrong."""
    try:
        lat_f, lon_f = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: a JSON integer of 400 digits
        raise GeometryError("Latitude and longitude must be numbers.") from exc
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise GeometryError("Latitude and longitude must be finite numbers.")
    if not -90 <= lat_f <= 90:
        if -90 <= lon_f <= 90 and -180 <= lat_f <= 180:
            raise GeometryError(f"Latitude {lat_f} is out of range; latitude and longitude look swapped.")
        raise GeometryError(f"Latitude {lat_f} is out of range (-90 to 90).")
    if not -180 <= lon_f <= 180:
        raise GeometryError(f"Longitude {lon_f} is out of range (-180 to 180).")
    return lat_f, lon_f


def haversine_m(lat1: float, lon1: float, lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance in metres (vectorised over the second point)."""
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - lon1)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def degree_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A (min_lat, max_lat, min_lon, max_lon) box that surely contains the circle of radius_m."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.001
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
