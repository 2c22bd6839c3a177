"""Every write of assignment: a team's settings, one automatic assignment, and returning an away agent's cases.

Race-free: an automatic assignment locks its agency's TeamAssignment rows (in primary-key order) and then the case,
so two workers never choose from the same counts at once; capacities count a person's open cases across the agency,
hence one lock per agency, not per team. On SQLite every write transaction takes the one writer lock at BEGIN
(transaction_mode IMMEDIATE), which serializes them the same way. On top, each assignment moves the team's pointer
and turn count by a conditional update (the count must still be what this assignment read), so even without the
lock one team never gives out the same turn twice.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import StaffProfile, Team
from civicdesk.assignment import queries
from civicdesk.assignment.models import AssignmentMode, TeamAgent, TeamAssignment
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases import actions as case_actions
from civicdesk.cases.events import CaseChanged, CaseCreated
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.core.jobs import ASSIGN_CASE, ASSIGN_WAITING, enqueue_on_commit

log = logging.getLogger(__name__)
QUEUE_FIELDS = {"assignee", "team", "agency"}


def _needs_an_agent(case: Case) -> bool:
    return (case.assignee_id is None and case.team_id is not None and case.merged_into_id is None
            and case.status not in CaseStatus.finished())


def on_case_created(event: CaseCreated) -> None:
    """Subscriber of CaseCreated: a new case in a team that assigns automatically gets an agent after the commit."""
    if _needs_an_agent(event.case) and queries.assigns_automatically(event.case.team_id):
        enqueue_on_commit(ASSIGN_CASE, event.case.pk)


def on_case_changed(event: CaseChanged) -> None:
    """Subscriber of CaseChanged: a case that lands in such a team's queue (moved there, unassigned, returned)."""
    if QUEUE_FIELDS & set(event.fields) and _needs_an_agent(event.case) and \
            queries.assigns_automatically(event.case.team_id):
        enqueue_on_commit(ASSIGN_CASE, event.case.pk)


def choose(mode: str, found: list[queries.Candidate], pointer: int | None) -> queries.Candidate | None:
    """The agent the rule picks among the available ones, or None.

    Round robin: the first available agent after the pointer in user-id order, wrapping around (an unavailable
    agent's turn is skipped, not saved). Least open: the fewest open cases; ties go to whoever has waited longest
    since their last case from this team (never: first), then by user id."""
    available = [c for c in found if c.available]
    if not available:
        return None
    if mode == AssignmentMode.ROUND_ROBIN:
        after = [c for c in available if pointer is not None and c.user.pk > pointer]
        return (after or available)[0]
    if mode == AssignmentMode.LEAST_OPEN:
        return min(available, key=lambda c: (c.open_cases, c.last_assigned_at is not None,
                                             c.last_assigned_at or timezone.now(), c.user.pk))
    return None


@dataclass
class Outcome:
    case: Case
    assignee: Any
    reason: str


def _lock_agency(agency_id: int) -> dict[int, TeamAssignment]:
    locked = (TeamAssignment.objects.select_for_update(of=("self",)).filter(team__agency_id=agency_id)
              .order_by("pk"))
    return {policy.pk: policy for policy in locked}


@transaction.atomic
def assign_case(case_id: int) -> Outcome | None:
    """Give the case to an available agent of its team by the team's rule; None when it needs none or nobody is
    available (it waits in the queue: the periodic sweep tries again)."""
    team_id = Case.objects.filter(pk=case_id).values_list("team_id", flat=True).first()
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    if team is None:
        return None
    policy = _lock_agency(team.agency_id).get(team.pk)
    if policy is None or policy.mode not in AssignmentMode.automatic():
        return None
    case = Case.objects.select_for_update().filter(pk=case_id, team_id=team.pk).first()
    if case is None or not _needs_an_agent(case):
        return None  # someone assigned it, moved it or finished it meanwhile
    found = queries.candidates(team, policy)
    chosen = choose(policy.mode, found, policy.last_assignee_id)
    if chosen is None:
        return None
    moved = TeamAssignment.objects.filter(pk=policy.pk, turns=policy.turns).update(
        last_assignee_id=chosen.user.pk, turns=F("turns") + 1)
    if not moved:  # another assignment of the team went first (it cannot while the lock holds): try again later
        log.warning("Team %s made another assignment during this one", team.pk)
        return None
    now = timezone.now()
    TeamAgent.objects.update_or_create(team=team, user=chosen.user, defaults={"last_assigned_at": now})
    details = {"mode": policy.mode, "open": chosen.open_cases, "capacity": chosen.capacity,
               "available": sum(1 for c in found if c.available)}
    case_actions.assign(case, actor=None, assignee=chosen.user, team=team, actor_label="assignment",
                        details=details)
    return Outcome(case=case, assignee=chosen.user, reason=policy.mode)


def assign_waiting(team_ids: list[int] | None = None, *, limit: int = 200) -> int:
    """Assign the waiting cases of these teams (default: every automatic team), oldest first, while anyone is
    available; each case in its own transaction. The number assigned."""
    done = 0
    for team_id in team_ids if team_ids is not None else queries.automatic_team_ids():
        waiting = list(queries.waiting_cases(team_id).values_list("pk", flat=True)[:limit])
        team = Team.objects.filter(pk=team_id).first() if waiting else None
        if team is None or not queries.available_agents(team):
            continue  # read first, without the lock: a sweep with nobody to assign writes nothing
        for case_id in waiting:
            if assign_case(case_id) is None:
                break  # nobody available now (or the case moved): the next sweep tries again
            done += 1
    return done


@transaction.atomic
def return_unanswered_cases(user: Any) -> int:
    """The person went away: in each of their teams that says so, their open cases with no first response yet go
    back to the queue (each with its reason on the timeline), to be assigned again automatically. How many."""
    teams = Team.objects.filter(members__user=user, assignment__return_when_away=True)
    cases = (Case.objects.select_for_update().filter(assignee=user, team__in=teams, first_response_at__isnull=True,
                                                     merged_into__isnull=True)
             .exclude(status__in=CaseStatus.finished()).order_by("created_at", "id"))
    returned = 0
    for case in cases:
        case_actions.assign(case, actor=None, assignee=None, team=case.team, actor_label="assignment",
                            details={"returned": "away"},
                            reason=gettext("The team returns unanswered cases to the queue when their agent is "
                                           "away."))
        returned += 1
    return returned


def after_away_change(user_id: int) -> int:
    """The job that follows an away change (agencies.actions.set_away): away, their unanswered cases go back to the
    queue; back, the waiting cases of their automatic teams get agents."""
    profile = StaffProfile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None:
        return 0
    if profile.is_away:
        return return_unanswered_cases(profile.user)
    return assign_waiting(list(queries.automatic_team_ids_of(user_id)))


@transaction.atomic
def save_settings(team: Team, *, actor: Any, mode: str, capacity: int, return_when_away: bool,
                  own_capacities: dict[int, int | None]) -> TeamAssignment:
    """A team's assignment rule, capacity, return-when-away and its members' own capacities (user id -> capacity,
    None: the team's); audited with what changed. A change applies to the next assignment at once."""
    policy, _ = TeamAssignment.objects.select_for_update().get_or_create(team=team)
    before = {"mode": policy.mode, "capacity": policy.capacity, "return_when_away": policy.return_when_away}
    policy.mode, policy.capacity, policy.return_when_away = AssignmentMode(mode), capacity, return_when_away
    policy.save(update_fields=["mode", "capacity", "return_when_away"])
    after = {"mode": policy.mode, "capacity": policy.capacity, "return_when_away": policy.return_when_away}
    own = {a.user_id: a for a in TeamAgent.objects.select_for_update().filter(team=team)}
    for user_id, value in own_capacities.items():
        current = own.get(user_id)
        if (current.capacity if current else None) == value:
            continue
        before[f"capacity:{user_id}"] = current.capacity if current else None
        after[f"capacity:{user_id}"] = value
        TeamAgent.objects.update_or_create(team=team, user_id=user_id, defaults={"capacity": value})
    changed = [key for key in after if before.get(key) != after[key]]
    if changed:
        record(AuditAction.AGENCY_CHANGED, actor=actor,
               before={"team": str(team), **{k: before.get(k) for k in changed}},
               after={"team": str(team), **{k: after[k] for k in changed}})
    if policy.mode in AssignmentMode.automatic():
        enqueue_on_commit(ASSIGN_WAITING, [team.pk])  # a new rule or more room: the waiting cases get agents now
    return policy
