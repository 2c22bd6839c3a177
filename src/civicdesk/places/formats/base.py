"""What every places file reader yields: rows of properties and a geometry (or the reason a row is unreadable)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry


class PlacesFileError(ValueError):
    """The file cannot be read at all (wrong format, missing columns); nothing was imported."""


@dataclass
class Row:
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    error: str = ""  # why this one row cannot be used (it is counted and reported, the others go on)


@dataclass
class Source:
    rows: Iterator[Row]
    total: int | None  # the number of rows when known up front (for the progress bar)
    crs: Any = None  # anything pyproj takes; None means WGS84
    fields: list[str] = field(default_factory=list)
