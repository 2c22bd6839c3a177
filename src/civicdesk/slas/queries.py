"""Read SLA policies and targets: the policy of a case, a case's targets for staff, compliance for the metrics."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.core import prefetch
from civicdesk.slas.models import RUNNING, CaseTarget, SlaPolicy, TargetKind


def specificity(policy: SlaPolicy) -> tuple[bool, bool, bool, int]:
    """The order in which policies win: naming the service, then the priority, then the channel; then the oldest."""
    return (policy.service_id is not None, bool(policy.priority), bool(policy.channel), -policy.pk)


def policy_for(case: Case) -> SlaPolicy | None:
    """The most specific active policy of the case's agency that fits its service, priority and channel (one
    query over the agency's few policies)."""
    active = prefetch.kept("sla_policies", case.agency_id,
                           lambda: list(SlaPolicy.objects.filter(agency_id=case.agency_id, is_active=True)))
    fits = [p for p in active
            if p.service_id in (None, case.service_id) and p.priority in ("", case.priority)
            and p.channel in ("", case.channel)]
    return max(fits, key=specificity, default=None)


def policies_of(agency_ids: list[int] | None) -> QuerySet[SlaPolicy]:
    """Policies of these agencies (None: every agency), with their agency and service."""
    found = SlaPolicy.objects.select_related("agency", "service").order_by("agency__name", "name", "id")
    return found if agency_ids is None else found.filter(agency_id__in=agency_ids)


@dataclass(frozen=True)
class TargetRow:
    """One target as the case page shows it."""

    kind: str
    label: str
    due_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    cancelled_at: datetime | None
    paused: bool
    warned: bool

    @property
    def state(self) -> str:
        if self.met_at is not None:
            return "met_late" if self.breached_at else "met"
        if self.cancelled_at is not None:
            return "cancelled"
        if self.breached_at is not None:
            return "breached"
        if self.paused:
            return "paused"
        return "warned" if self.warned else "running"


def case_targets(case: Case, *, limit: int = 12) -> list[TargetRow]:
    """The case's targets, running ones first, then the latest of its history (one query)."""
    rows = list(CaseTarget.objects.filter(case=case).order_by("-started_at", "-id")[:limit])
    rows.sort(key=lambda t: (not t.is_running, -t.started_at.timestamp()))
    return [TargetRow(kind=t.kind, label=str(TargetKind(t.kind).label), due_at=t.due_at, met_at=t.met_at,
                      breached_at=t.breached_at, cancelled_at=t.cancelled_at, paused=t.paused_at is not None,
                      warned=t.warned_at is not None) for t in rows]


def breaching_soon_targets() -> QuerySet[CaseTarget]:
    """Running, unpaused targets past their warning point and not yet due (the sweep marks warned_at)."""
    return CaseTarget.objects.filter(RUNNING, warned_at__isnull=False, breached_at__isnull=True,
                                     due_at__isnull=False)


def compliance_by(cases: QuerySet[Case], group_field: str, start: datetime,
                  end: datetime) -> dict[Any, tuple[int, int]]:
    """(met, breached) per value of the cases' `group_field` (a Case field path: "agency_id", "team_id",
    "assignee_id", "service_id", "channel", ...), over targets met or breached within [start, end).

    A target counts as breached on the moment it was found past its due time (breached_at), and as met on the
    moment it was met only if it never breached: a target met late counts once, as breached. Cancelled targets
    (the case was resolved before a reply was due, or left every policy) count as neither. Every kind counts
    (first response, each next response, each resolution); two queries, on the met_at and breached_at indexes."""
    result: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    ids = cases.order_by().values("pk")
    key = f"case__{group_field}"
    met = (CaseTarget.objects.filter(case_id__in=ids, met_at__gte=start, met_at__lt=end, breached_at__isnull=True)
           .order_by().values(key).annotate(n=Count("id")))
    breached = (CaseTarget.objects.filter(case_id__in=ids, breached_at__gte=start, breached_at__lt=end)
                .order_by().values(key).annotate(n=Count("id")))
    for row in met:
        result[row[key]][0] += row["n"]
    for row in breached:
        result[row[key]][1] += row["n"]
    return {group: (counts[0], counts[1]) for group, counts in result.items()}


def targets_of_cases(case_lookups: dict[str, Any]) -> QuerySet[CaseTarget]:
    """The targets of the cases matching `case_lookups` (Case field lookups). The agency scope is compared as an
    expression (agency_id + 0), which no index serves, so the engine leads with the targets' own time index and looks
    each case up by its key: with the agency's index SQLite walked every case of the agency (300,000 in the 1M bench)
    to find a few thousand targets (the trends' missed-targets query: 287 -> about 50 ms)."""
    lookups = dict(case_lookups)
    agencies = lookups.pop("agency_id__in", None)
    targets = CaseTarget.objects.filter(**{f"case__{name}": value for name, value in lookups.items()})
    if agencies is not None:
        targets = targets.alias(case_agency=F("case__agency_id") + 0).filter(case_agency__in=agencies)
    return targets


def compliance_by_spans(case_lookups: dict[str, Any], group_field: str,
                        spans: list[tuple[datetime, datetime]]) -> dict[tuple[Any, int], tuple[int, int]]:
    """compliance_by for each of several [start, end) spans at once, over the cases matching `case_lookups` (Case
    field lookups, e.g. {"agency_id__in": [...]}; {}: every case): {(group, span index): (met, breached)}, in the
    same two queries (each target's moment placed in its span by plain comparisons in SQL; the cases joined, not
    listed in a subquery, which SQLite would build for every query)."""
    result: dict[tuple[Any, int], list[int]] = defaultdict(lambda: [0, 0])
    if not spans:
        return {}
    key = f"case__{group_field}"
    low, high = min(start for start, _ in spans), max(end for _, end in spans)
    for moment, column, extra in (("met_at", 0, {"breached_at__isnull": True}), ("breached_at", 1, {})):
        span = SqlCase(*(When(**{f"{moment}__gte": start, f"{moment}__lt": end}, then=Value(index))
                       for index, (start, end) in enumerate(spans)), default=Value(-1), output_field=IntegerField())
        rows = (targets_of_cases(case_lookups).filter(**{f"{moment}__gte": low, f"{moment}__lt": high}, **extra)
                .order_by().values(key, span=span).annotate(n=Count("id")))
        for row in rows:
            if row["span"] >= 0:
                result[row[key], row["span"]][column] += row["n"]
    return {group: (counts[0], counts[1]) for group, counts in result.items()}


def breaching_within(seconds: int) -> QuerySet[CaseTarget]:
    """Running targets due within the next `seconds` (not yet breached)."""
    now = timezone.now()
    return CaseTarget.objects.filter(RUNNING, breached_at__isnull=True, due_at__gt=now,
                                     due_at__lte=now + timedelta(seconds=seconds))
