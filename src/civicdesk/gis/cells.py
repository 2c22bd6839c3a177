"""The fixed global grid behind CaseLocation.cell: cell numbers, their bounds and the cells near a point."""

import math

from civicdesk.gis.geometry import degree_box

CELL_DEGREES = 0.0025
ROW = 200_000  # cell = row * ROW + column; columns run 0..143,999


def cell_of(lat: float, lon: float) -> int:
    return int(math.floor((lat + 90) / CELL_DEGREES)) * ROW + int(math.floor((lon + 180) / CELL_DEGREES))


def row_col(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor((lat + 90) / CELL_DEGREES)), int(math.floor((lon + 180) / CELL_DEGREES))


def cells_near(lat: float, lon: float, radius_m: float) -> list[int]:
    """Every cell that may hold a point within radius_m of (lat, lon)."""
    min_lat, max_lat, min_lon, max_lon = degree_box(lat, lon, radius_m)
    r0, c0 = row_col(min_lat, min_lon)
    r1, c1 = row_col(max_lat, max_lon)
    return [r * ROW + c for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def cell_range(min_lat: float, max_lat: float) -> tuple[int, int]:
    """Cell numbers bounding every row between two latitudes (columns are filtered separately)."""
    r0, _ = row_col(min_lat, 0.0)
    r1, _ = row_col(max_lat, 0.0)
    return r0 * ROW, r1 * ROW + ROW - 1
