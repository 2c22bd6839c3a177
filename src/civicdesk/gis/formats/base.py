"""What every boundary file reader returns: source features, their fields and CRS, and the one error type."""

from dataclasses import dataclass, field
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
