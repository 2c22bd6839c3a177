"""The writes that move a case's SLA clocks, run inside the case's own transaction from the case events.

- A case is created: its policy's first-response and resolution targets start (at the case's creation).
- A staff reply to the resident that is not automatic (and not a follower's copy of a public update) meets the running
  first-response and next-response targets.
- A resident's message on a case that had its first response opens a next-response target (one at a time).
- Resolved or closed: the resolution target is met; running response targets are cancelled (not counted).
- Reopened (a finished case is open again): a new resolution target starts then.
- A status the policy pauses on (default: waiting on the resident) pauses every running target; leaving it resumes
  them, with the due times moved by the paused time on the target's clock.
- A new agency, team, service, priority or channel chooses the policy again: running targets keep their start and get
  the new policy's targets (none: they are cancelled). An SLA escalation's own priority change keeps the targets.

Case.sla_due_at, the earliest due time of the case's running targets (for the inbox's sort), is kept here.
"""

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db.models import Min
from django.utils import timezone

from civicdesk.cases.events import CaseChanged, CaseCreated, MessageAdded
from civicdesk.cases.models import Case, CaseStatus, Direction
from civicdesk.core import prefetch
from civicdesk.slas.models import RUNNING, CaseTarget, SlaPolicy, TargetKind
from civicdesk.slas.queries import policy_for
from civicdesk.slas.timing import ClockSchedules, add_time, elapsed

RETARGET_FIELDS = {"agency", "team", "service", "priority", "channel"}  # team: its calendar may differ
escalating: ContextVar[bool] = ContextVar("sla_escalating", default=False)


def on_case_created(event: CaseCreated) -> None:
    start_targets(event.case, (TargetKind.FIRST_RESPONSE, TargetKind.RESOLUTION), event.case.created_at)


def on_message_added(event: MessageAdded) -> None:
    message, case = event.message, event.case
    if message.direction == Direction.OUTBOUND and not message.is_automatic and message.update_of_id is None:
        meet(case, (TargetKind.FIRST_RESPONSE, TargetKind.NEXT_RESPONSE), message.created_at)
    elif message.direction == Direction.INBOUND and case.status not in CaseStatus.finished():
        open_next_response(case, message.created_at)


def on_case_changed(event: CaseChanged) -> None:
    fields = set(event.fields)
    if RETARGET_FIELDS & fields and not escalating.get():
        retarget(event.case)
    if "status" in fields:
        follow_status(event.case)


def running(case: Case) -> list[CaseTarget]:
    """The case's running targets (read ahead for a bulk change of many cases: see running_of)."""
    known = prefetch.take("sla_running", case.pk)
    if known is not prefetch.MISS:
        return list(known)
    return list(CaseTarget.objects.filter(RUNNING, case=case).select_related("policy"))


def running_of(case_ids: list[int]) -> dict[str, dict[Any, Any]]:
    """A lookahead of cases.events: the running targets of many cases in one query, for running()."""
    found: dict[Any, Any] = {pk: [] for pk in case_ids}
    for target in CaseTarget.objects.filter(RUNNING, case_id__in=case_ids).select_related("policy"):
        found[target.case_id].append(target)
    return {"sla_running": found}


def start_targets(case: Case, kinds: tuple[str, ...], at: datetime, policy: SlaPolicy | None = None,
                  schedules: ClockSchedules | None = None) -> list[CaseTarget]:
    """Start the policy's targets of these kinds (a kind it does not measure, or one running already, is skipped)."""
    policy = policy or policy_for(case)
    if policy is None:
        return []
    schedules = schedules or ClockSchedules()
    paused = case.status in (policy.pause_statuses or [])
    made = []
    for kind in kinds:
        seconds = policy.target_seconds(kind)
        if seconds is None:
            continue
        target = CaseTarget(case=case, policy=policy, kind=kind, hours=policy.hours, target_seconds=seconds,
                            started_at=at, paused_at=at if paused else None)
        if not paused:
            schedule_due(target, policy, schedules.of(case))
        made.append(target)
    existing = set(CaseTarget.objects.filter(RUNNING, case=case, kind__in=[t.kind for t in made])
                   .values_list("kind", flat=True))
    made = [t for t in made if t.kind not in existing]
    if made:
        CaseTarget.objects.bulk_create(made)
        refresh_due(case)
    return made


def schedule_due(target: CaseTarget, policy: SlaPolicy | None, schedule: Any) -> None:
    """due_at and warn_at from the start, the target and the time spent paused (all on the target's clock)."""
    target.due_at = add_time(schedule, target.hours, target.started_at, target.target_seconds + target.paused_seconds)
    offset = policy.warn_offset(target.target_seconds) if policy is not None else float(target.target_seconds)
    target.warn_at = add_time(schedule, target.hours, target.started_at, offset + target.paused_seconds)


def meet(case: Case, kinds: tuple[str, ...], at: datetime) -> int:
    done = CaseTarget.objects.filter(RUNNING, case=case, kind__in=kinds).update(met_at=at, paused_at=None)
    if done:
        refresh_due(case)
    return done


def open_next_response(case: Case, at: datetime) -> None:
    """The resident wrote again after a first response: a next-response target, unless one already runs."""
    if case.first_response_at is not None:  # set by the same staff reply that meets the first-response target
        start_targets(case, (TargetKind.NEXT_RESPONSE,), at)


def follow_status(case: Case) -> None:
    now = timezone.now()
    if case.status in CaseStatus.finished():
        CaseTarget.objects.filter(RUNNING, case=case, kind=TargetKind.RESOLUTION).update(met_at=now, paused_at=None)
        CaseTarget.objects.filter(RUNNING, case=case).update(cancelled_at=now, paused_at=None)
        refresh_due(case)
        return
    targets = running(case)
    if not any(t.kind == TargetKind.RESOLUTION for t in targets) and CaseTarget.objects.filter(
            case=case, kind=TargetKind.RESOLUTION).exists():  # reopened: the resolution clock starts again
        targets += start_targets(case, (TargetKind.RESOLUTION,), now)
    pause_or_resume(case, targets, now)


def pause_or_resume(case: Case, targets: list[CaseTarget], now: datetime) -> None:
    schedules = ClockSchedules()
    changed = []
    for target in targets:
        pausing = target.policy is not None and case.status in (target.policy.pause_statuses or [])
        if pausing and target.paused_at is None:
            target.paused_at, target.due_at, target.warn_at = now, None, None
            changed.append(target)
        elif not pausing and target.paused_at is not None:
            target.paused_seconds += elapsed(schedules.of(case), target.hours, target.paused_at, now)
            target.paused_at = None
            schedule_due(target, target.policy, schedules.of(case))
            changed.append(target)
    if changed:
        CaseTarget.objects.bulk_update(changed, ["paused_at", "due_at", "warn_at", "paused_seconds"])
        refresh_due(case)


def retarget(case: Case) -> None:
    """The case's policy again (its agency, service, priority or channel changed); running targets follow it."""
    targets = running(case)
    if not targets:
        return
    policy = policy_for(case)
    now = timezone.now()
    schedules = ClockSchedules()
    changed, cancelled = [], []
    for target in targets:
        seconds = policy.target_seconds(target.kind) if policy is not None else None
        if seconds is None:
            target.cancelled_at = now
            cancelled.append(target)
            continue
        target.policy, target.hours, target.target_seconds = policy, policy.hours, seconds  # type: ignore[union-attr]
        if target.paused_at is None:
            schedule_due(target, policy, schedules.of(case))
        changed.append(target)
    CaseTarget.objects.bulk_update(cancelled, ["cancelled_at"])
    CaseTarget.objects.bulk_update(changed, ["policy", "hours", "target_seconds", "due_at", "warn_at"])
    refresh_due(case)


def refresh_due(case: Case) -> None:
    """Case.sla_due_at: the earliest due time of its running, unpaused targets (breached ones included)."""
    due = CaseTarget.objects.filter(RUNNING, case=case, due_at__isnull=False).aggregate(due=Min("due_at"))["due"]
    if due != case.sla_due_at:
        Case.objects.filter(pk=case.pk).update(sla_due_at=due)
        case.sla_due_at = due
