"""The one case-filter vocabulary of the inbox, the API, the maps and Open311: CaseFilters, and apply() to a query.

Each surface only maps its own parameters onto a CaseFilters (inbox/filter_forms.py, api/api.py, gis/mapdata.py,
open311/parsing.py); dashboards should do the same rather than grow a sixth vocabulary. "Open" has one meaning
everywhere: not finished (CaseStatus.finished()); see StatusGroup.
"""

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.permissions import actionable_only, read_only_only, team_ids
from civicdesk.cases.search import search_cases
from civicdesk.web.params import day_after_start, day_start

EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = 111_320


class StatusGroup(models.TextChoices):
    """Statuses by whether the work is done; "open" here is the group, not the single status CaseStatus.OPEN."""

    OPEN = "open", _("Open (not resolved or closed)")
    CLOSED = "closed", _("Resolved or closed")


def is_open(status: str) -> bool:
    return status not in CaseStatus.finished()


def open_statuses() -> list[str]:
    return [status for status in CaseStatus.values if is_open(status)]


class InboxView(models.TextChoices):
    """Whose cases: the tabs of the inbox. With a user, every view but READ_ONLY holds only cases the user may act
    on (cases.permissions.actionable_cases); READ_ONLY holds those they may only read (the transfer trail). Without
    a user (maps, Open311) ALL and UNASSIGNED do not narrow by scope and the others cannot be asked for."""

    UNASSIGNED = "unassigned", _("Unassigned")
    MINE = "mine", _("Mine")
    MY_TEAM = "my_team", _("My team")
    ALL = "all", _("All")
    BREACHING_SOON = "breaching_soon", _("Breaching soon")
    READ_ONLY = "read_only", _("Read only")


class SlaState(models.TextChoices):
    """Cases by their SLA targets (slas app): one running target past its warning point and not yet due; a target
    that missed its due time (met late or still open); targets met, none missed."""

    BREACHING_SOON = "breaching_soon", _("Breaching soon")
    BREACHED = "breached", _("Missed a target")
    MET = "met", _("Targets met")


class Sort(models.TextChoices):
    NEWEST = "newest", _("Newest first")
    OLDEST = "oldest", _("Oldest first")
    UPDATED = "updated", _("Recently updated")
    PRIORITY = "priority", _("Priority (urgent first)")
    DUE = "due", _("Next due first")


# Same text as the expression index of migration cases 0003 (literals inlined so the planner can match it).
PRIORITY_RANK_SQL = ("CASE \"cases_case\".\"priority\" WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 "
                     "ELSE 0 END")
SORTS: dict[str, tuple[Any, ...]] = {
    Sort.NEWEST: ("-created_at", "-id"),
    Sort.OLDEST: ("created_at", "id"),
    Sort.UPDATED: ("-updated_at", "-id"),
    Sort.PRIORITY: (RawSQL(PRIORITY_RANK_SQL, []).desc(), "-created_at", "-id"),
    Sort.DUE: (F("sla_due_at").asc(nulls_last=True), "-created_at", "-id"),  # Case.sla_due_at, kept by slas
}


class BBox(NamedTuple):
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def distance_m(lat1: float, lon1: float, lat2: float | None, lon2: float | None) -> float:
    """Great-circle distance in metres; infinite to a missing point."""
    if lat2 is None or lon2 is None:
        return math.inf
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return EARTH_RADIUS_M * 2 * math.asin(math.sqrt(a))


class Circle(NamedTuple):
    """Within radius_m of a point: SQL narrows by the enclosing box; contains() is the exact test."""

    lat: float
    lon: float
    radius_m: float

    def box(self) -> BBox:
        dlat = self.radius_m / METRES_PER_DEGREE
        dlon = self.radius_m / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(self.lat))))
        return BBox(self.lon - dlon, self.lat - dlat, self.lon + dlon, self.lat + dlat)

    def contains(self, lat: float | None, lon: float | None) -> bool:
        return distance_m(self.lat, self.lon, lat, lon) <= self.radius_m


@dataclass(frozen=True)
class Within:
    """Inside one area (resolved by the caller: this core module knows no geometry). SQL narrows by the area's box;
    `covers` decides, for every case in the box at once, whether the area holds its point (lons, lats -> bools)."""

    area_id: int
    name: str
    box: BBox
    covers: Callable[[Sequence[float], Sequence[float]], Sequence[bool]]


Bound = date | datetime | None


@dataclass(frozen=True)
class CaseFilters:
    """Which cases, and in what order. Every field narrows and its default does not.

    Date bounds: a `date` covers the whole local day (to: before the next midnight; a day outside what datetimes
    hold is no bound); a `datetime` is an inclusive instant. Several statuses, services or ids mean any of them.
    """

    q: str = ""
    statuses: tuple[str, ...] = ()  # CaseStatus values
    status_group: str = ""  # a StatusGroup
    channel: str = ""
    agency: str = ""  # slug
    services: tuple[str, ...] = ()  # service codes
    team: int | None = None
    assignee: int | None = None
    created_from: Bound = None
    created_to: Bound = None
    updated_from: Bound = None
    updated_to: Bound = None
    public_ids: tuple[str, ...] = ()
    bbox: BBox | None = None
    near: Circle | None = None
    within: Within | None = None  # an area (the inbox's "area" parameter, from the dashboards' area counts)
    located: bool = False  # only cases with a point
    sla: str = ""  # a SlaState
    include_merged: bool = False  # merged duplicates are left out unless asked for
    view: str = InboxView.ALL
    sort: str = ""  # a Sort (unknown: newest first); "" keeps the queryset's order

    def narrowing(self) -> set[str]:
        """The names of the fields set to something other than their default."""
        return {f.name for f in fields(self) if getattr(self, f.name) != f.default}


def bound_lookups(name: str, low: Bound, high: Bound) -> dict[str, datetime]:
    """Lookups on a datetime column (not __date, so its indexes apply) for the from/to bounds of CaseFilters."""
    lookups: dict[str, datetime] = {}
    if isinstance(low, datetime):
        lookups[f"{name}__gte"] = low
    elif low is not None and (start := day_start(low)):
        lookups[f"{name}__gte"] = start
    if isinstance(high, datetime):
        lookups[f"{name}__lte"] = high
    elif high is not None and (after := day_after_start(high)):
        lookups[f"{name}__lt"] = after
    return lookups


def box_lookups(box: BBox) -> dict[str, float]:
    return {"lat__gte": box.min_lat, "lat__lte": box.max_lat, "lon__gte": box.min_lon, "lon__lte": box.max_lon}


def one_of(name: str, values: tuple[str, ...] | tuple[int, ...]) -> dict[str, Any]:
    """`name = v` for one value (the plain equality the indexes are planned for), `name IN (...)` for several."""
    return {name: values[0]} if len(values) == 1 else {f"{name}__in": list(values)}


def apply(cases: QuerySet[Case], filters: CaseFilters, *, user: Any = None) -> QuerySet[Case]:
    """cases (already scoped to what the caller may see) narrowed by filters; `user` is needed by a view."""
    cases = narrow_to_view(narrow(cases, filters), filters.view, user)
    if filters.sort:
        cases = cases.order_by(*SORTS.get(filters.sort, SORTS[Sort.NEWEST]))
    return cases


def narrow(cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Every filter but the view and the sort: the common part of the inbox's views (one text search for all)."""
    if not filters.include_merged:
        cases = cases.filter(merged_into__isnull=True)  # partial index: only merged rows are in it
    if filters.located:
        cases = cases.filter(lat__isnull=False, lon__isnull=False)
    if filters.public_ids:
        cases = cases.filter(**one_of("public_id", filters.public_ids))
    if filters.statuses:
        cases = cases.filter(**one_of("status", filters.statuses))
    if filters.status_group == StatusGroup.OPEN:  # the same as "not finished", as an IN an index on status can use
        cases = cases.filter(status__in=open_statuses())
    elif filters.status_group == StatusGroup.CLOSED:
        cases = cases.filter(status__in=CaseStatus.finished())
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.agency:
        cases = cases.filter(agency__slug=filters.agency)
    if filters.team:
        cases = cases.filter(team_id=filters.team)
    if filters.assignee:
        cases = cases.filter(assignee_id=filters.assignee)
    if filters.services:
        cases = cases.filter(**one_of("service__code", filters.services))
    created = bound_lookups("created_at", filters.created_from, filters.created_to)
    updated = bound_lookups("updated_at", filters.updated_from, filters.updated_to)
    if created or updated:
        cases = cases.filter(**created, **updated)
    for box in (filters.bbox, filters.near.box() if filters.near else None):
        if box is not None:
            cases = cases.filter(**box_lookups(box))
    if filters.sla:
        cases = cases.filter(sla_condition(filters.sla))
    if filters.within is not None:
        cases = inside(cases.filter(**box_lookups(filters.within.box)), filters.within)
    return search_cases(cases, filters.q)


def inside(cases: QuerySet[Case], within: Within) -> QuerySet[Case]:
    """The cases whose point the area covers: the points of those in its box are read and tested here, and the
    ones inside go back into the query as one parameter (any number of them; a list of ids would hit SQLite's
    limit on parameters)."""
    rows = [(pk, lon, lat) for pk, lon, lat in cases.order_by().values_list("pk", "lon", "lat")
            if lon is not None and lat is not None]  # (the box already left out cases without a point)
    covered = within.covers([row[1] for row in rows], [row[2] for row in rows]) if rows else []
    ids = [row[0] for row, yes in zip(rows, covered, strict=True) if yes]
    if connection.vendor == "sqlite":
        return cases.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))
    return cases.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))


def sla_condition(state: str) -> Any:
    """Cases by a SlaState, through their targets (slas.CaseTarget, reached by the reverse relation so this core
    module does not import the app above it); an unknown state matches no case."""
    targets = Case.sla_targets.field.model._default_manager.filter(case_id=OuterRef("pk"))
    running = targets.filter(met_at__isnull=True, cancelled_at__isnull=True)
    if state == SlaState.BREACHING_SOON:
        return Exists(running.filter(warned_at__isnull=False, breached_at__isnull=True, due_at__isnull=False))
    if state == SlaState.BREACHED:
        return Exists(targets.filter(breached_at__isnull=False))
    if state == SlaState.MET:
        return Exists(targets.filter(met_at__isnull=False)) & ~Exists(targets.filter(breached_at__isnull=False))
    return models.Q(pk__in=[])


def narrow_to_view(cases: QuerySet[Case], view: str, user: Any) -> QuerySet[Case]:
    """The cases of one InboxView (an unknown view is ALL); see InboxView for what each holds."""
    if user is None:
        if view in (InboxView.MINE, InboxView.MY_TEAM, InboxView.READ_ONLY):
            raise ValueError(f"The view {view!r} needs the signed-in user.")
        if view == InboxView.BREACHING_SOON:
            return cases.filter(sla_condition(SlaState.BREACHING_SOON))
        return cases.filter(assignee__isnull=True) if view == InboxView.UNASSIGNED else cases
    if view == InboxView.MINE:
        return cases.filter(assignee=user)  # always the user's to act on
    if view == InboxView.READ_ONLY:
        return read_only_only(user, cases)
    if view == InboxView.UNASSIGNED:
        cases = cases.filter(assignee__isnull=True)
    elif view == InboxView.MY_TEAM:
        cases = cases.filter(team_id__in=team_ids(user))
    elif view == InboxView.BREACHING_SOON:
        cases = cases.filter(sla_condition(SlaState.BREACHING_SOON))
    return actionable_only(user, cases)
