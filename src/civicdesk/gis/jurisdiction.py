"""Is a point inside the jurisdiction? The question the portal asks a resident, and Open311's 400 far outside.

The jurisdiction is the union of the active generation's areas whose type is marked as the jurisdiction's boundary
(the city), or of all its areas when no such type has areas. With no active boundaries nothing is outside. The
check reads the cached lookup index (no query while it is fresh): a bounding-box test first, polygons only near
the edge.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from civicdesk.gis.geometry import GeometryError, degree_box, validate_point
from civicdesk.gis.index import AreaIndex
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area


@dataclass(frozen=True)
class Outside:
    """A point outside the jurisdiction: the jurisdiction's name, and whether the swapped point would be inside."""

    name: str
    looks_swapped: bool = False


def jurisdiction_name(index: AreaIndex | None = None) -> str:
    """JURISDICTION_NAME, else the name of the jurisdiction's one boundary area, else "the city"."""
    if settings.JURISDICTION_NAME:
        return str(settings.JURISDICTION_NAME)
    index = index or active_index(verify=False)
    ids = [i for t in sorted(index.jurisdiction_types) for i in index.types[t].ids.tolist()] if index else []
    names = sorted(set(Area.objects.filter(pk__in=ids[:50]).values_list("name", flat=True))) if ids else []
    return names[0] if len(names) == 1 else gettext("the city")


def outside_jurisdiction(lat: object, lon: object, *, margin_m: float = 0) -> Outside | None:
    """Outside when the point is not in the jurisdiction's boundary, or (with margin_m) farther than margin_m outside
    its bounding box. None: inside, no boundaries, or coordinates too broken to place (validation reports those)."""
    index = active_index(verify=False)
    if index is None:
        return None
    try:
        lat_f, lon_f = validate_point(lat, lon)
    except GeometryError:
        return None
    if margin_m > 0:
        if not _beyond(index, lat_f, lon_f, margin_m):
            return None
    elif index.in_jurisdiction(lon_f, lat_f):
        return None
    swapped = -90 <= lon_f <= 90 and index.in_jurisdiction(lat_f, lon_f)
    return Outside(jurisdiction_name(index), swapped)


def _beyond(index: AreaIndex, lat: float, lon: float, margin_m: float) -> bool:
    extent = index.jurisdiction_extent()
    if extent is None:
        return False
    min_lat, max_lat, min_lon, max_lon = degree_box(lat, lon, margin_m)  # the box around the point, radius margin_m
    return max_lat < extent[1] or min_lat > extent[3] or max_lon < extent[0] or min_lon > extent[2]
