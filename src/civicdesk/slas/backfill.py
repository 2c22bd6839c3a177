"""Targets for cases that were made without the case events (the demo city, imports, the benchmark), from the case's
own dates: first response from created_at to first_response_at, resolution from created_at to resolved_at.

A simplification of the live clocks, said plainly: no pauses and no next-response targets are rebuilt. A target met
after its due time, or still open past it, is marked breached at its due time; a still-open one also gets its
SLA_BREACHED entry on the timeline (no notification: nobody needs telling of history). Writes in bulk.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from civicdesk.audit.actions import entry, record_all
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.slas.clocks import schedule_due
from civicdesk.slas.models import RUNNING, CaseTarget, SlaPolicy, TargetKind
from civicdesk.slas.queries import specificity
from civicdesk.slas.timing import ClockSchedules

BATCH = 2000


def fitting(policies: Iterable[SlaPolicy], case: Case) -> SlaPolicy | None:
    fits = [p for p in policies if p.agency_id == case.agency_id and p.service_id in (None, case.service_id)
            and p.priority in ("", case.priority) and p.channel in ("", case.channel)]
    return max(fits, key=specificity, default=None)


def _targets(case: Case, policy: SlaPolicy, schedules: ClockSchedules, now: datetime) -> list[CaseTarget]:
    made = []
    finished = case.status in CaseStatus.finished()
    for kind, met_at in ((TargetKind.FIRST_RESPONSE, case.first_response_at),
                         (TargetKind.RESOLUTION, case.resolved_at or (case.closed_at if finished else None))):
        seconds = policy.target_seconds(kind)
        if seconds is None:
            continue
        target = CaseTarget(case=case, policy=policy, kind=kind, hours=policy.hours, target_seconds=seconds,
                            started_at=case.created_at, met_at=met_at)
        schedule_due(target, policy, schedules.of(case))
        if met_at is None and finished:
            target.cancelled_at = case.closed_at or case.resolved_at or case.updated_at
        assert target.due_at is not None
        missed_by = met_at if met_at is not None else (None if finished else now)
        if missed_by is not None and missed_by > target.due_at:
            target.breached_at = target.due_at
        if target.warn_at is not None and target.warn_at <= now and target.breached_at is None and met_at is None:
            target.warned_at = target.warn_at
        made.append(target)
    return made


def backfill_targets(cases: QuerySet[Case], *, now: datetime | None = None) -> int:
    """Targets for every case of `cases` that has none, by its agency's policies; the number made."""
    now = now or timezone.now()
    policies = list(SlaPolicy.objects.filter(is_active=True))
    if not policies:
        return 0
    schedules = ClockSchedules()
    without_targets = cases.exclude(sla_targets__isnull=False).order_by("pk")
    made = 0
    last = 0
    while True:
        batch = list(without_targets.filter(pk__gt=last)[:BATCH])
        if not batch:
            return made
        last = batch[-1].pk
        with transaction.atomic():
            targets = [t for case in batch if (policy := fitting(policies, case))
                       for t in _targets(case, policy, schedules, now)]
            CaseTarget.objects.bulk_create(targets, batch_size=500)
            record_all([entry(AuditAction.SLA_BREACHED, case=t.case, actor_label="sla",
                              after={"kind": t.kind, "due_at": t.due_at.isoformat() if t.due_at else None})
                        for t in targets if t.breached_at is not None and t.is_running])
            refresh_all_due([case.pk for case in batch])
        made += len(targets)


def refresh_all_due(case_ids: list[int]) -> None:
    """Case.sla_due_at of many cases in one UPDATE."""
    earliest = (CaseTarget.objects.filter(RUNNING, case_id=OuterRef("pk"), due_at__isnull=False).order_by()
                .values("case_id").annotate(due=Min("due_at")).values("due"))
    Case.objects.filter(pk__in=case_ids).update(sla_due_at=Subquery(earliest))
