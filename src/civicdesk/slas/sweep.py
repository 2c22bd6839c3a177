"""The SLA sweep (every SLA_SWEEP_SECONDS): warn of targets past their warning point, mark breaches, escalate.

Each batch's marks are one conditional UPDATE (`... WHERE warned_at IS NULL`, `... WHERE breached_at IS NULL`) signed
with a token of the sweep (`claim`), so two workers sweeping at once mark, write and notify each target exactly once:
the second UPDATE finds the rows already marked and signs none of them. Each batch is one transaction: the mark, the
timeline entry, the notifications and the escalation of a target commit together or not at all.

A breach is dated at the target's due time (breached_at = due_at, the moment the target was missed, which the
metrics count); the timeline entry is written when the sweep finds it, within one sweep interval of that moment.
A breach notifies the case's assignee and the supervisors of its team (none in the team: of its agency); a warning
notifies the assignee (unassigned: the supervisors). Escalation (the policy's choice) raises the priority one step
and/or returns the case to its team's queue, once per case and sweep, with the reason on the timeline.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.audit.actions import entry, record, record_all
from civicdesk.audit.models import AuditAction
from civicdesk.cases.actions import touch
from civicdesk.cases.events import CaseAssigned, publish
from civicdesk.cases.models import Case, Priority
from civicdesk.notifications.actions import notify_many
from civicdesk.notifications.models import NotificationKind
from civicdesk.slas.clocks import escalating
from civicdesk.slas.models import RUNNING, CaseTarget, TargetKind

BATCH = 200
RAISED: dict[str, str] = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH,
                          Priority.HIGH: Priority.URGENT}


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    escalated: int = 0
    notified: int = 0
    cases: set[int] = field(default_factory=set)


def to_warn(now: datetime) -> list[int]:
    return list(CaseTarget.objects.filter(RUNNING, warned_at__isnull=True, breached_at__isnull=True,
                                          warn_at__isnull=False, warn_at__lte=now, due_at__gt=now)
                .order_by("warn_at").values_list("pk", flat=True))


def to_breach(now: datetime) -> list[int]:
    return list(CaseTarget.objects.filter(RUNNING, breached_at__isnull=True, due_at__isnull=False, due_at__lte=now)
                .order_by("due_at").values_list("pk", flat=True))


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass: every target past its warning point or due time is marked, written and notified once."""
    now = now or timezone.now()
    result = SweepResult()
    supervisors = Supervisors()
    for ids, breach in ((to_breach(now), True), (to_warn(now), False)):
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                _batch(ids[start:start + BATCH], breach=breach, now=now, result=result, supervisors=supervisors)
    return result


def claim(ids: list[int], *, breach: bool, now: datetime) -> list[int]:
    """Mark these targets in one conditional UPDATE signed with a token of this sweep, and return those it marked:
    a target another sweep (or a reply, a pause) got to first is left out."""
    token = uuid.uuid4().hex
    if breach:
        CaseTarget.objects.filter(RUNNING, pk__in=ids, breached_at__isnull=True, due_at__lte=now).update(
            breached_at=F("due_at"), claim=token)
    else:
        CaseTarget.objects.filter(RUNNING, pk__in=ids, warned_at__isnull=True, breached_at__isnull=True,
                                  warn_at__lte=now, due_at__gt=now).update(warned_at=now, claim=token)
    return list(CaseTarget.objects.filter(pk__in=ids, claim=token).values_list("pk", flat=True))


def _batch(ids: list[int], *, breach: bool, now: datetime, result: SweepResult, supervisors: "Supervisors") -> None:
    won = claim(ids, breach=breach, now=now)
    if not won:
        return
    targets = list(CaseTarget.objects.filter(pk__in=won).select_related("policy", "case", "case__agency")
                   .order_by("due_at", "id"))
    action = AuditAction.SLA_BREACHED if breach else AuditAction.SLA_WARNING
    made = record_all([entry(action, case=t.case, actor_label="sla",
                             after={"kind": t.kind, "due_at": t.due_at.isoformat() if t.due_at else None})
                       for t in targets])
    kind = NotificationKind.SLA_BREACHED if breach else NotificationKind.SLA_WARNING
    escalated: set[int] = set()
    wanted: list[tuple[int, str, Case, str]] = []
    for target, audit in zip(targets, made, strict=True):
        case = target.case
        result.cases.add(case.pk)
        if breach:
            result.breached += 1
        else:
            result.warned += 1
        recipients = ([case.assignee_id] if case.assignee_id else []) + (
            supervisors.of(case) if breach or not case.assignee_id else [])
        wanted += [(user_id, kind, case, f"sla:{audit.pk}") for user_id in dict.fromkeys(recipients)]
        if breach and target.policy is not None and case.pk not in escalated:
            escalated.add(case.pk)
            if escalate(case, target):
                result.escalated += 1
    result.notified += notify_many(wanted)


def escalate(case: Case, target: CaseTarget) -> bool:
    """The policy's escalation of a breach: one step up in priority, back to the team's queue. True if it acted."""
    policy = target.policy
    assert policy is not None
    what = str(TargetKind(target.kind).label).lower()
    reason = gettext("The %(target)s target was missed.") % {"target": what}
    token = escalating.set(True)
    try:
        acted = False
        raised = RAISED.get(case.priority) if policy.escalate_priority else None
        if raised is not None:
            before = case.priority
            touch(case, priority=raised)
            record(AuditAction.PRIORITY_CHANGED, case=case, actor_label="sla", before={"priority": before},
                   after={"priority": raised}, reason=reason)
            acted = True
        if policy.escalate_unassign and case.assignee_id is not None:
            previous = case.assignee_id
            before_owner = {"assignee": previous, "team": case.team_id}
            touch(case, assignee=None)
            made = record(AuditAction.ASSIGNED, case=case, actor_label="sla", before=before_owner,
                          after={"assignee": None, "team": case.team_id},
                          reason=reason + " " + gettext("It is back in its team's queue."))
            publish(CaseAssigned(case, None, previous, None, made.pk))
            acted = True
        return acted
    finally:
        escalating.reset(token)


class Supervisors:
    """The supervisors to tell of a case's breach: those in its team, else those of its agency (read once)."""

    def __init__(self) -> None:
        self._by_agency: dict[int, list[tuple[int, set[int]]]] | None = None

    def _load(self) -> dict[int, list[tuple[int, set[int]]]]:
        by_agency: dict[int, list[tuple[int, set[int]]]] = defaultdict(list)
        teams: dict[int, set[int]] = defaultdict(set)
        profiles = StaffProfile.objects.filter(role=StaffRole.SUPERVISOR, user__is_active=True)
        for user_id, team_id in profiles.filter(teams__isnull=False).values_list("user_id", "teams"):
            teams[user_id].add(team_id)
        for user_id, agency_id in profiles.filter(agencies__isnull=False).values_list("user_id", "agencies"):
            by_agency[agency_id].append((user_id, teams[user_id]))
        return by_agency

    def of(self, case: Any) -> list[int]:
        if self._by_agency is None:
            self._by_agency = self._load()
        everyone = self._by_agency.get(case.agency_id, [])
        in_team = [user for user, teams in everyone if case.team_id in teams]
        return sorted(in_team or [user for user, _ in everyone])
