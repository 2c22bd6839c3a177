"""Where targets are missed: the cases whose SLA target was breached within a range, counted per area of one type
(wards by default) with the gis point index, and the most recent of them as points for the map."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from civicdesk.cases.filters import SlaState
from civicdesk.dashboards.links import inbox_url
from civicdesk.gis.index import NO_AREA
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area
from civicdesk.metrics.areas import area_type
from civicdesk.slas.queries import targets_of_cases
from civicdesk.web.params import day_after_start, day_start

MAX_POINTS = 500


@dataclass
class AreaCount:
    area_id: int
    name: str
    count: int
    url: str = ""  # the inbox: the area's cases that missed a target, created within the range


@dataclass
class MissedTargets:
    areas: list[AreaCount]  # every area of the type, most missed first
    outside: int  # located cases in no area of the type
    unlocated: int  # cases without a point
    points: list[dict[str, Any]]  # the most recent located cases: number, lat, lon, area name


def missed_targets(agency_ids: list[int] | None, start: date, end: date) -> MissedTargets:
    """Cases of these agencies (None: all) with a target breached from the start of `start` to the end of `end`."""
    low, high = day_start(start), day_after_start(end)
    cases: dict[str, Any] = {"merged_into__isnull": True}
    if agency_ids is not None:
        cases["agency_id__in"] = agency_ids
    targets = targets_of_cases(cases).filter(breached_at__isnull=False)
    if low is not None:
        targets = targets.filter(breached_at__gte=low)
    if high is not None:
        targets = targets.filter(breached_at__lt=high)
    rows: dict[int, tuple[str, float | None, float | None, Any]] = {}
    for case_id, number, lat, lon, at in targets.order_by("-breached_at").values_list(
            "case_id", "case__number", "case__lat", "case__lon", "breached_at"):
        rows.setdefault(case_id, (number, lat, lon, at))  # one per case: the most recent breach
    located = [(n, lat, lon) for n, lat, lon, _ in rows.values() if lat is not None and lon is not None]
    kind = area_type()
    areas = Area.objects.filter(type__slug=kind)
    index = active_index(verify=False)
    type_index = index.types.get(kind) if index else None
    if type_index is not None and located:
        found = type_index.lookup_many(np.array([p[2] for p in located]), np.array([p[1] for p in located]))
    else:
        found = np.full(len(located), NO_AREA)
    names = dict(areas.filter(pk__in=type_index.ids.tolist() if type_index is not None else []).values_list(
        "pk", "name"))
    counts = Counter(int(a) for a in found if a >= 0)
    scope = {"sla": SlaState.BREACHED, "created_from": start, "created_to": end}
    result = [AreaCount(pk, name, counts.get(pk, 0), inbox_url(area=pk, **scope)) for pk, name in names.items()]
    result.sort(key=lambda a: (-a.count, a.name))
    points = [{"number": n, "lat": lat, "lon": lon, "area": names.get(int(a), "")}
              for (n, lat, lon), a in list(zip(located, found, strict=True))[:MAX_POINTS]]
    return MissedTargets(result, outside=sum(1 for a in found if a < 0), unlocated=len(rows) - len(located),
                         points=points)
