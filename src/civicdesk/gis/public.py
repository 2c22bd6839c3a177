"""What the public sees of a case's location: the point snapped to a grid of about 50 metres, never the exact one.

The public map, its GeoJSON and the public request pages all use approximate_point(), so a pin drawn on one is
where it is drawn on the others, and no public surface gives away the exact spot (a resident's doorstep).
"""

import math

from civicdesk.cases.filters import BBox

# 0.0005 degrees: about 55 m north-south, and about 42 m east-west at 40 degrees north.
GRID_DEGREES = 0.0005
APPROXIMATE_METRES = 50


def _snap(value: float) -> float:
    return round(math.floor(value / GRID_DEGREES + 0.5) * GRID_DEGREES, 6)


def approximate_point(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the grid square the point is in: the same for every caller, stable over time."""
    return _snap(lat), _snap(lon)


def inside(box: BBox | None, lat: float, lon: float) -> bool:
    """Whether an (approximate) point lies in the box, so a narrowing box never finds the exact point."""
    if box is None:
        return True
    return box.min_lon <= lon <= box.max_lon and box.min_lat <= lat <= box.max_lat
