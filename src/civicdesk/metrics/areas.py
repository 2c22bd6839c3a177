"""The area a case counts in for the figures: the area of the dashboard's type (wards by default) that holds its
point in the active boundary generation, found with the gis point index; None for a case without a point or
outside every such area. Stored with the figures (MetricEvent.area_id, CaseArea), refreshed with them, and all of
them again when the area type or the active generation changes (fingerprint)."""

from collections.abc import Sequence

import numpy as np
from django.conf import settings

from civicdesk.gis.lookup import active_generation_key, active_index


def area_type() -> str:
    """The slug of the area type figures and maps group cases by (DASHBOARD_AREA_TYPE, "ward" by default)."""
    return str(getattr(settings, "DASHBOARD_AREA_TYPE", "ward"))


def areas_of(points: Sequence[tuple[int, float | None, float | None]]) -> dict[int, int | None]:
    """{case id: area id or None} for (case id, lat, lon) rows, in one vectorised lookup."""
    found: dict[int, int | None] = {pk: None for pk, _lat, _lon in points}
    located = [(pk, lat, lon) for pk, lat, lon in points if lat is not None and lon is not None]
    index = active_index(verify=False) if located else None
    type_index = index.types.get(area_type()) if index is not None else None
    if type_index is None:
        return found
    ids = type_index.lookup_many(np.array([p[2] for p in located]), np.array([p[1] for p in located]))
    for (pk, _lat, _lon), area in zip(located, ids.tolist(), strict=True):
        found[pk] = int(area) if area >= 0 else None
    return found


def fingerprint() -> str:
    """What the stored areas depend on: the area type and the active generation (its id and when it started)."""
    key = active_generation_key()
    return f"{area_type()}:{key[0]}:{key[1]}" if key else f"{area_type()}:"
