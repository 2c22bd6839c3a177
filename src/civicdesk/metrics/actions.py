"""Writing the precomputed figures: a case's MetricEvents from its raw timeline, and the DailyRollup cells they feed.

`catch_up()` (run every METRICS_CATCH_UP_SECONDS by the scheduler) refreshes every case changed since its last run
(changed_since: created, given a message or an audit entry), and every case of an agency whose business calendar
changed, so a figure lags reality by at most that interval plus the run's own time. Each batch of cases is rebuilt
in one transaction holding the FiguresState row locked, so two runs never interleave their writes.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.calendars.business_time import Schedule
from civicdesk.calendars.models import BusinessCalendar, Closure, OpenInterval
from civicdesk.calendars.queries import schedule_for
from civicdesk.cases.models import Case, CaseTransfer, Message
from civicdesk.metrics.areas import areas_of
from civicdesk.metrics.areas import fingerprint as areas_fingerprint
from civicdesk.metrics.models import CaseArea, DailyRollup, Dimension, FiguresState, MetricEvent
from civicdesk.metrics.stats import pack
from civicdesk.metrics.timeline import CaseFacts, MessageFacts, StatusChange, case_events

CHUNK = 500
OVERLAP = timedelta(seconds=60)  # a transaction that stamped updated_at before the last run but committed after it
CASE_FIELDS = ("id", "created_at", "status", "resolved_at", "closed_at", "merged_into_id", "agency_id", "team_id",
               "assignee_id", "service_id", "channel", "lat", "lon")
AREAS_KEY = "areas"  # the fingerprint of what the stored areas depend on, beside the calendars'


class Schedules:
    """schedule_for per (agency, team), read once per run."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, int | None], Schedule] = {}

    def __call__(self, agency_id: int, team_id: int | None) -> Schedule:
        key = (agency_id, team_id)
        if key not in self._found:
            self._found[key] = schedule_for(agency_id, team_id)
        return self._found[key]


def store(case_ids: Sequence[int], schedules: Schedules | None = None) -> list[MetricEvent]:
    """Write the MetricEvents and CaseAreas of these cases (whose old ones the caller deleted); the events."""
    events, areas = build(case_ids, schedules)
    made = MetricEvent.objects.bulk_create(events, batch_size=1000)
    CaseArea.objects.bulk_create(areas, batch_size=1000)
    return made


def build(case_ids: Sequence[int], schedules: Schedules | None = None) -> tuple[list[MetricEvent], list[CaseArea]]:
    """Unsaved MetricEvents of these cases, from their raw timelines (four queries), and the area each case counts
    in."""
    schedules = schedules or Schedules()
    rows = list(Case.objects.filter(pk__in=case_ids).values_list(*CASE_FIELDS))
    area_of = areas_of([(row[0], row[-2], row[-1]) for row in rows])
    transferred = set(CaseTransfer.objects.filter(case_id__in=case_ids).values_list("case_id", flat=True))
    messages: dict[int, list[MessageFacts]] = defaultdict(list)
    for case_id, at, direction, automatic, copy_of in Message.objects.filter(case_id__in=case_ids).values_list(
            "case_id", "created_at", "direction", "is_automatic", "update_of_id"):
        messages[case_id].append(MessageFacts(at, direction, automatic, copy_of is not None))
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for case_id, at, after in AuditEntry.objects.filter(
            case_id__in=case_ids, action__in=[AuditAction.STATUS_CHANGED, AuditAction.REOPENED]
    ).order_by("at", "id").values_list("case_id", "at", "after"):
        status = (after or {}).get("status")
        if isinstance(status, str):
            changes[case_id].append(StatusChange(at, status))
    made: list[MetricEvent] = []
    for (pk, created_at, status, resolved_at, closed_at, merged_into_id, agency_id, team_id, assignee_id,
         service_id, channel, _lat, _lon) in rows:
        facts = CaseFacts(pk, created_at, status, resolved_at, closed_at, merged_into_id is not None,
                          pk in transferred)
        for event in case_events(facts, messages[pk], changes[pk], schedules(agency_id, team_id)):
            made.append(MetricEvent(case_id=pk, kind=event.kind, at=event.at, day=event.day,
                                    calendar_seconds=event.calendar_seconds, business_seconds=event.business_seconds,
                                    agency_id=agency_id, team_id=team_id, assignee_id=assignee_id,
                                    service_id=service_id, channel=channel, area_id=area_of[pk]))
    return made, [CaseArea(case_id=pk, area_id=area) for pk, area in area_of.items()]


def _key(value: Any) -> str:
    return "" if value is None else str(value)


class _Cell:
    __slots__ = ("n", "calendar", "business")

    def __init__(self) -> None:
        self.n = 0
        self.calendar: list[float] = []
        self.business: list[float] = []


def rollups_of(events: Iterable[tuple[Any, ...]]) -> list[DailyRollup]:
    """DailyRollup rows from (day, agency_id, kind, team_id, assignee_id, service_id, channel, area_id, calendar,
    business)."""
    cells: dict[tuple[date, int, str, str, str], _Cell] = defaultdict(_Cell)
    for day, agency_id, kind, team_id, assignee_id, service_id, channel, area_id, calendar, business in events:
        for dimension, value in ((Dimension.AGENCY, agency_id), (Dimension.TEAM, team_id),
                                 (Dimension.AGENT, assignee_id), (Dimension.SERVICE, service_id),
                                 (Dimension.CHANNEL, channel), (Dimension.AREA, area_id)):
            cell = cells[(day, agency_id, kind, dimension, _key(value))]
            cell.n += 1
            if calendar is not None:
                cell.calendar.append(calendar)
            if business is not None:
                cell.business.append(business)
    return [DailyRollup(day=day, agency_id=agency_id, kind=kind, dimension=dimension, key=key, n=cell.n,
                        calendar_values=pack(cell.calendar), business_values=pack(cell.business))
            for (day, agency_id, kind, dimension, key), cell in cells.items()]


EVENT_COLUMNS = ("day", "agency_id", "kind", "team_id", "assignee_id", "service_id", "channel", "area_id",
                 "calendar_seconds", "business_seconds")


def rebuild_cells(cells: set[tuple[date, int]]) -> None:
    """Recompute the rollups of these (day, agency) pairs (and any other pair of their days and agencies) from the
    MetricEvents; the caller holds the transaction."""
    days = sorted({day for day, _ in cells})
    agencies = sorted({agency for _, agency in cells})
    for start in range(0, len(days), 200):
        some = days[start:start + 200]
        DailyRollup.objects.filter(day__in=some, agency_id__in=agencies).delete()
        events = MetricEvent.objects.filter(day__in=some, agency_id__in=agencies).values_list(*EVENT_COLUMNS)
        DailyRollup.objects.bulk_create(rollups_of(events), batch_size=1000)


@transaction.atomic
def refresh_cases(case_ids: Sequence[int], schedules: Schedules | None = None) -> int:
    """Rebuild the MetricEvents of these cases and the rollup cells they were or are in; the number of events."""
    FiguresState.objects.select_for_update().get_or_create(pk=1)
    old = set(MetricEvent.objects.filter(case_id__in=case_ids).values_list("day", "agency_id").distinct())
    MetricEvent.objects.filter(case_id__in=case_ids).delete()
    CaseArea.objects.filter(case_id__in=case_ids).delete()
    made = store(case_ids, schedules)
    rebuild_cells(old | {(event.day, event.agency_id) for event in made})
    return len(made)


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def calendar_fingerprints() -> dict[str, str]:
    """A digest per agency (and "*" for the default) of everything a Schedule is made of, to see a change; and
    under AREAS_KEY what the cases' areas depend on."""
    parts: dict[str, list[Any]] = defaultdict(list)
    team_agency = dict(BusinessCalendar.objects.filter(team__isnull=False).values_list("pk", "team__agency_id"))
    owner = {pk: str(agency_id or team_agency.get(pk)) for pk, agency_id in
             BusinessCalendar.objects.values_list("pk", "agency_id")}
    rows: list[tuple[Any, ...]] = [
        *BusinessCalendar.objects.order_by("pk").values_list("pk", "time_zone", "holiday_country",
                                                             "holiday_subdivision", "team_id"),
        *OpenInterval.objects.order_by("pk").values_list("calendar_id", "weekday", "opens", "closes"),
        *Closure.objects.order_by("pk").values_list("calendar_id", "first_day", "last_day")]
    for row in rows:
        parts[owner[row[0]]].append([str(v) for v in row])
    digests = {agency: hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16] for agency, rows in parts.items()}
    digests["*"] = settings.TIME_ZONE
    digests[AREAS_KEY] = areas_fingerprint()
    return digests


def rebuild_all() -> int:
    """Every case's events and every rollup, from scratch (the first run, or `civicdesk metrics-rebuild`)."""
    schedules = Schedules()
    with transaction.atomic():
        FiguresState.objects.select_for_update().get_or_create(pk=1)
        MetricEvent.objects.all().delete()
        DailyRollup.objects.all().delete()
        CaseArea.objects.all().delete()
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    pending: list[DailyRollup] = []
    for some in chunks(ids):
        with transaction.atomic():
            store(some, schedules)
    with transaction.atomic():  # day by day and agency by agency: a million cases' durations never all in memory
        events = MetricEvent.objects.order_by("day", "agency_id").values_list(*EVENT_COLUMNS).iterator(10000)
        for _cell, rows in groupby(events, key=lambda row: (row[0], row[1])):
            pending.extend(rollups_of(rows))
            if len(pending) >= 5000:
                DailyRollup.objects.bulk_create(pending, batch_size=1000)
                pending.clear()
        DailyRollup.objects.bulk_create(pending, batch_size=1000)
    return len(ids)


def changed_since(moment: datetime) -> set[int]:
    """Cases created, with a new message, or with a new audit entry (every change of status, owner, service or
    priority writes one) since `moment`: three lookups on indexed timestamps, never a scan of every case."""
    ids = set(Case.objects.filter(created_at__gte=moment).values_list("pk", flat=True))
    ids.update(Message.objects.filter(created_at__gte=moment, case__isnull=False).values_list("case_id", flat=True))
    ids.update(AuditEntry.objects.filter(at__gte=moment, case__isnull=False).values_list("case_id", flat=True))
    return ids


def catch_up(now: datetime | None = None) -> int:
    """Refresh every case changed since the last run (with OVERLAP), and every case of an agency whose calendar
    changed; a first run builds everything. The number of cases refreshed."""
    started = now or timezone.now()
    state, _ = FiguresState.objects.get_or_create(pk=1)
    fingerprints = calendar_fingerprints()
    if state.checked_at is None:
        # claimed first, so that runs queued meanwhile refresh only what changes during the build
        FiguresState.objects.filter(pk=state.pk).update(checked_at=started, calendars=json.dumps(fingerprints))
        try:
            count = rebuild_all()
        except BaseException:
            FiguresState.objects.filter(pk=state.pk).update(checked_at=None)
            raise
    else:
        before = json.loads(state.calendars or "{}")
        changed = {key for key in set(before) | set(fingerprints) if before.get(key) != fingerprints.get(key)}
        ids = changed_since(state.checked_at - OVERLAP)
        if "*" in changed or AREAS_KEY in changed:  # every case's time zone, or every case's area
            ids.update(Case.objects.values_list("pk", flat=True))
        elif changed:
            ids.update(Case.objects.filter(agency_id__in=[int(a) for a in changed if a.isdigit()])
                       .values_list("pk", flat=True))
        schedules = Schedules()
        for some in chunks(sorted(ids)):
            refresh_cases(some, schedules)
        count = len(ids)
    FiguresState.objects.filter(pk=state.pk).update(checked_at=started, calendars=json.dumps(fingerprints))
    return count
