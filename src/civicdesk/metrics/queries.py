"""Figures per group over a range of days: from the per-case MetricEvents (any set of cases) or from the daily
rollups (whole agencies, the fast path); both give the same numbers (metrics/tests/test_rollups.py checks it).

Definitions: metrics/timeline.py and docs/metrics.md. Counts and durations are of events whose local day (in the
case's calendar's time zone) is in [start, end], both days included. Backlog: cases open at the end of `end`, i.e.
created - resolved + reopened over every day up to `end` (each case alternates between open and finished, so this
is exact); backlog_age is the calendar age of the cases open now, given only when `end` is today or later.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import FloatField, Func, QuerySet, Sum
from django.utils import timezone

from civicdesk.agencies.models import Agency, Service, Team
from civicdesk.cases.filters import open_statuses
from civicdesk.cases.models import Case
from civicdesk.gis.models import Area
from civicdesk.metrics import extras
from civicdesk.metrics.models import DailyRollup, Dimension, Hours, MetricEvent, MetricKind
from civicdesk.metrics.stats import Summary, summarise, unpack
from civicdesk.web.params import day_after_start, day_start

GROUP_FIELDS: dict[str, str] = {Dimension.AGENCY: "agency_id", Dimension.TEAM: "team_id",
                                 Dimension.AGENT: "assignee_id", Dimension.SERVICE: "service_id",
                                 Dimension.CHANNEL: "channel", Dimension.AREA: "area_id"}  # MetricEvent's fields
CASE_PATHS: dict[str, str] = {**GROUP_FIELDS, Dimension.AREA: "metric_area__area_id"}  # the same, from a Case
BACKLOG_KINDS = (MetricKind.CREATED, MetricKind.RESOLVED, MetricKind.REOPENED)
ID_BATCH = 5000


@dataclass(frozen=True)
class Sla:
    met: int = 0
    breached: int = 0

    @property
    def compliance(self) -> float | None:
        """Met targets as a share of met and breached, 0..100; None when there were none."""
        total = self.met + self.breached
        return 100 * self.met / total if total else None


@dataclass(frozen=True)
class Csat:
    sent: int = 0
    answered: int = 0
    score: float | None = None  # the share of answers that are 4 or 5 out of 5, 0..100


@dataclass(frozen=True)
class GroupFigures:
    """One group's figures; durations in seconds of the hours asked for."""

    key: str  # agency slug, team id, agent username, service code, channel value; "" for none
    name: str
    created: int = 0
    resolved: int = 0
    reopened: int = 0
    first_contact: int = 0
    backlog: int = 0
    first_response: Summary = field(default_factory=Summary)
    next_response: Summary = field(default_factory=Summary)
    resolution: Summary = field(default_factory=Summary)
    resolution_since_reopen: Summary = field(default_factory=Summary)
    backlog_age: Summary | None = None
    sla: Sla = field(default_factory=Sla)
    csat: Csat = field(default_factory=Csat)

    @property
    def first_contact_rate(self) -> float | None:
        """Resolutions at first contact as a share of every resolution, 0..100."""
        return 100 * self.first_contact / self.resolved if self.resolved else None


def raw_key(value: Any) -> str:
    return "" if value is None else str(value)


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.backlog: dict[str, int] = defaultdict(int)
        self.ages: dict[str, list[float]] = defaultdict(list)

    def add_backlog(self, key: str, kind: str, n: int) -> None:
        self.backlog[key] += -n if kind == MetricKind.RESOLVED else n


def _labels(dimension: str, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(key shown, name) for each raw key (an id, a channel, "")."""
    ids = [int(k) for k in keys if k.isdigit()]
    named: dict[str, tuple[str, str]] = {}
    if dimension == Dimension.AGENCY:
        named = {str(pk): (slug, name) for pk, slug, name in Agency.objects.filter(pk__in=ids).values_list(
            "pk", "slug", "name")}
    elif dimension == Dimension.TEAM:
        named = {str(pk): (str(pk), name) for pk, name in Team.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif dimension == Dimension.SERVICE:
        named = {str(pk): (code, name) for pk, code, name in Service.objects.filter(pk__in=ids).values_list(
            "pk", "code", "name")}
    elif dimension == Dimension.AGENT:
        for user in get_user_model().objects.filter(pk__in=ids):
            named[str(user.pk)] = (user.get_username(), user.get_full_name() or user.get_username())
    elif dimension == Dimension.CHANNEL:
        from civicdesk.channels.models import Channel

        named = {value: (value, str(label)) for value, label in Channel.choices}
    elif dimension == Dimension.AREA:
        named = {str(pk): (str(pk), name) for pk, name in Area.objects.filter(pk__in=ids).values_list("pk", "name")}
    none: dict[str, str] = {Dimension.TEAM: "No team", Dimension.AGENT: "Unassigned", Dimension.SERVICE: "No service",
                            Dimension.AREA: "No area"}
    return {key: named.get(key, ("", none.get(dimension, "None")) if key == "" else (key, key)) for key in keys}


def _finish(tally: _Tally, cases: QuerySet[Case], dimension: str, start: date, end: date) -> list[GroupFigures]:
    group_field = CASE_PATHS[dimension]
    low, high = day_start(start), day_after_start(end)
    assert low is not None and high is not None
    sla = {raw_key(k): v for k, v in extras.compliance_by(cases, group_field, low, high).items()}
    csat = {raw_key(k): v for k, v in extras.csat_by(cases, group_field, low, high).items()}
    keys = _keys(tally, sla, csat)
    return _assemble(tally, sla, csat, _labels(dimension, keys), keys)


def _keys(tally: _Tally, sla: dict[str, Any], csat: dict[str, Any]) -> set[str]:
    return set(tally.counts) | set(tally.values) | {k for k, v in tally.backlog.items() if v} | set(sla) | set(csat)


def _assemble(tally: _Tally, sla: dict[str, tuple[int, int]], csat: dict[str, tuple[int, int, float | None]],
              labels: dict[str, tuple[str, str]], keys: set[str]) -> list[GroupFigures]:
    out = []
    for key in keys:
        counts, values = tally.counts[key], tally.values[key]
        ages = tally.ages.get(key)
        out.append(GroupFigures(
            key=labels[key][0], name=labels[key][1], created=counts[MetricKind.CREATED],
            resolved=counts[MetricKind.RESOLVED], reopened=counts[MetricKind.REOPENED],
            first_contact=counts[MetricKind.FIRST_CONTACT], backlog=tally.backlog.get(key, 0),
            first_response=summarise(values[MetricKind.FIRST_RESPONSE]),
            next_response=summarise(values[MetricKind.NEXT_RESPONSE]),
            resolution=summarise(values[MetricKind.RESOLVED]),
            resolution_since_reopen=summarise(values[MetricKind.RESOLVED_SINCE_REOPEN]),
            backlog_age=summarise(ages) if ages is not None else None,
            sla=Sla(*sla.get(key, (0, 0))), csat=Csat(*csat.get(key, (0, 0, None)))))
    return sorted(out, key=lambda g: (g.name.casefold(), g.key))


class EpochSeconds(Func):
    """A datetime column as seconds since 1970 (UTC), computed by the database: reading 60,000 open cases' ages as
    numbers instead of datetimes parsed and made aware in Python (with the sort dropped) took the metrics API's year
    by agency at 1M cases from about 650 to 490 ms on SQLite and 664 to 448 ms on PostgreSQL."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::double precision",
                           **extra)


def _backlog_ages(tally: _Tally, cases: QuerySet[Case], dimension: str, end: date) -> None:
    """Calendar ages of the cases open now, when the range reaches today (the current backlog)."""
    now = timezone.now().replace(second=0, microsecond=0)  # ages move on once a minute, like the figures
    if end < timezone.localdate(now):
        return
    since = now.timestamp()
    for value, created in cases.filter(status__in=open_statuses(), merged_into__isnull=True).order_by().values_list(
            CASE_PATHS[dimension], EpochSeconds("created_at")):
        tally.ages[raw_key(value)].append(max(0.0, since - created))
    for key in tally.backlog:
        tally.ages.setdefault(key, [])


def check(group_by: str, hours: str, start: date, end: date) -> None:
    if group_by not in Dimension.values or hours not in Hours.values:
        raise ValueError(f"group_by must be one of {', '.join(Dimension.values)} and hours one of "
                         f"{', '.join(Hours.values)}.")
    if end < start:
        raise ValueError("The range ends before it starts.")


def figures(cases: QuerySet[Case], *, start: date, end: date, group_by: str, hours: str) -> list[GroupFigures]:
    """Figures of these cases (any queryset of cases: the caller scopes and filters it) from their MetricEvents."""
    check(group_by, hours, start, end)
    group_field = GROUP_FIELDS[group_by]
    column = "business_seconds" if hours == Hours.BUSINESS else "calendar_seconds"
    # The ids first, then their events in batches: a text search's raw SQL names "cases_case", which a subquery
    # would rename.
    ids = list(cases.order_by().values_list("pk", flat=True))
    tally = _Tally()
    for first in range(0, len(ids), ID_BATCH):
        events = MetricEvent.objects.filter(case_id__in=ids[first:first + ID_BATCH], day__lte=end)
        for value, kind, day, seconds in events.values_list(group_field, "kind", "day", column):
            key = raw_key(value)
            if kind in BACKLOG_KINDS:
                tally.add_backlog(key, kind, 1)
            if day >= start:
                tally.counts[key][kind] += 1
                if seconds is not None:
                    tally.values[key][kind].append(seconds)
    _backlog_ages(tally, cases, group_by, end)
    return _finish(tally, cases, group_by, start, end)


def agency_figures(agency_ids: list[int] | None, *, start: date, end: date, group_by: str,
                   hours: str) -> list[GroupFigures]:
    """Figures of every case of these agencies (None: all) from the daily rollups: the same numbers as figures()
    over the same cases, read from about one row per day, agency and group instead of one per event."""
    return agency_figures_spans(agency_ids, spans=[(start, end)], group_by=group_by, hours=hours)[0]


def agency_figures_spans(agency_ids: list[int] | None, *, spans: list[tuple[date, date]], group_by: str,
                         hours: str, ages: bool = True) -> list[list[GroupFigures]]:
    """agency_figures for each of several ranges of days (the trends' twelve weeks or months), in a fixed number of
    queries whatever the number of ranges: the rollups of the whole stretch are read once and each day's added to
    the range that holds it; compliance and satisfaction are counted per range in the same queries. The ranges may
    leave gaps but must not overlap. ages=False leaves out the backlog's ages (a read of every open case)."""
    for start, end in spans:
        check(group_by, hours, start, end)
    ordered = sorted(spans)
    if any(later[0] <= earlier[1] for earlier, later in zip(ordered, ordered[1:], strict=False)):
        raise ValueError("The ranges overlap.")
    if not spans:
        return []
    column = "business_values" if hours == Hours.BUSINESS else "calendar_values"
    rollups = DailyRollup.objects.filter(dimension=group_by)
    cases = Case.objects.all()
    if agency_ids is not None:
        rollups = rollups.filter(agency_id__in=agency_ids)
        cases = cases.filter(agency_id__in=agency_ids)
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    tallies = [_Tally() for _ in spans]
    timed = set(MetricKind.timed())
    holding: dict[date, list[_Tally]] = defaultdict(list)  # each day of the stretch -> the ranges that hold it
    for (start, end), tally in zip(spans, tallies, strict=True):
        for offset in range((end - start).days + 1):
            holding[start + timedelta(days=offset)].append(tally)
    changes: list[tuple[date, str, str, int]] = []  # (day, key, kind, n) of the backlog's kinds within the stretch
    for key, kind, day, n, packed in rollups.filter(day__gte=first, day__lte=last).values_list(
            "key", "kind", "day", "n", column):
        for tally in holding.get(day, ()):
            tally.counts[key][kind] += n
            if kind in timed:
                tally.values[key][kind].extend(unpack(packed))
        if kind in BACKLOG_KINDS:
            changes.append((day, key, kind, n))
    running = _Tally()  # the backlog at the end of each range: everything before the stretch, then day by day
    for key, kind, n in rollups.filter(day__lt=first, kind__in=BACKLOG_KINDS).values("key", "kind").annotate(
            n=Sum("n")).order_by().values_list("key", "kind", "n"):
        running.add_backlog(key, kind, n)
    changes.sort()
    applied = 0
    for index in sorted(range(len(spans)), key=lambda i: spans[i][1]):
        while applied < len(changes) and changes[applied][0] <= spans[index][1]:
            running.add_backlog(*changes[applied][1:])
            applied += 1
        tallies[index].backlog.update(running.backlog)
        if ages:
            _backlog_ages(tallies[index], cases, group_by, spans[index][1])
    sla, csat = _extras_per_span(agency_ids, CASE_PATHS[group_by], spans)
    keys = [_keys(tally, sla[index], csat[index]) for index, tally in enumerate(tallies)]
    labels = _labels(group_by, set().union(*keys))
    return [_assemble(tally, sla[index], csat[index], labels, keys[index]) for index, tally in enumerate(tallies)]


def _extras_per_span(agency_ids: list[int] | None, group_field: str, spans: list[tuple[date, date]]) -> tuple[
        list[dict[str, tuple[int, int]]], list[dict[str, tuple[int, int, float | None]]]]:
    """Compliance and satisfaction of each range of days, per group: two queries and one, whatever the ranges."""
    bounds = []
    for start, end in spans:
        low, high = day_start(start), day_after_start(end)
        assert low is not None and high is not None
        bounds.append((low, high))
    lookups = {} if agency_ids is None else {"agency_id__in": agency_ids}
    sla: list[dict[str, tuple[int, int]]] = [{} for _ in spans]
    for (group, index), counted in extras.compliance_by_spans(lookups, group_field, bounds).items():
        sla[index][raw_key(group)] = counted
    csat: list[dict[str, tuple[int, int, float | None]]] = [{} for _ in spans]
    for (group, index), answered in extras.csat_by_spans(lookups, group_field, bounds).items():
        csat[index][raw_key(group)] = answered
    return sla, csat
