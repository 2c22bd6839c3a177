"""Read-only questions of assignment: who in a team can take a case now, and every agent's load and availability.

An agent is available to a team when all of these hold:
- their account is active and they are a member of the team;
- they are at the desk: a staff page of theirs checked in (notifications.DeskPresence) within the last
  ASSIGN_ACTIVE_MINUTES minutes;
- they are not marked away (StaffProfile.is_away);
- their open cases in the team's agency (assigned to them, not resolved, closed or merged away; waiting on the
  resident counts) are fewer than their capacity: their own in the team, else the team's.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import StaffProfile, Team
from civicdesk.assignment.models import AssignmentMode, TeamAgent, TeamAssignment
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.workload import open_cases_assigned
from civicdesk.core import prefetch
from civicdesk.notifications.models import DeskPresence

User = get_user_model()
DEFAULT_CAPACITY = TeamAssignment._meta.get_field("capacity").default


@dataclass
class Candidate:
    """One member of a team as automatic assignment sees them."""

    user: Any
    open_cases: int
    capacity: int
    away: bool
    last_seen_at: datetime | None
    last_assigned_at: datetime | None
    at_desk: bool

    @property
    def available(self) -> bool:
        return self.user.is_active and self.at_desk and not self.away and self.open_cases < self.capacity

    def why_not(self) -> str:
        """Why the person is not available, in a few words ("" when they are)."""
        if not self.user.is_active:
            return gettext("deactivated")
        if self.away:
            return gettext("away")
        if not self.at_desk:
            return gettext("not at the desk")
        if self.open_cases >= self.capacity:
            return gettext("at capacity")
        return ""


@dataclass
class AgentLoad:
    """One agent's load and availability across the agencies asked about (the supervisor dashboard's row).

    capacity: the smallest capacity among their teams of those agencies (None: on no team there); available: at the
    desk, not away, and below that capacity."""

    user: Any
    open_cases: int
    capacity: int | None
    available: bool
    away: bool
    last_seen_at: datetime | None


def active_after() -> datetime:
    """Desk activity since this moment counts as signed in and active."""
    return timezone.now() - timedelta(minutes=settings.ASSIGN_ACTIVE_MINUTES)


def policy_of(team_id: int | None) -> TeamAssignment | None:
    return TeamAssignment.objects.filter(team_id=team_id).first() if team_id else None


def assigns_automatically(team_id: int | None) -> bool:
    if not team_id:
        return False
    return prefetch.kept("assigns_automatically", team_id, lambda: TeamAssignment.objects.filter(
        team_id=team_id, mode__in=AssignmentMode.automatic()).exists())


def _open_counts(user_ids: list[int], agency_ids: list[int]) -> dict[int, int]:
    rows = (open_cases_assigned(user_ids, agency_ids).order_by().values_list("assignee_id")
            .annotate(n=Count("id")))
    return dict(rows)  # type: ignore[arg-type]


def _last_seen(user_ids: list[int]) -> dict[int, datetime]:
    return dict(DeskPresence.objects.filter(user_id__in=user_ids).values_list("user_id", "last_seen_at"))


def candidates(team: Team, policy: TeamAssignment | None = None) -> list[Candidate]:
    """Every member of the team, in a fixed order (by user id: the round robin's order), in four queries."""
    policy = policy if policy is not None else policy_of(team.pk)
    team_capacity = policy.capacity if policy else DEFAULT_CAPACITY
    profiles = list(StaffProfile.objects.filter(teams=team).select_related("user").order_by("user_id"))
    ids = [p.user_id for p in profiles]
    own = {a.user_id: a for a in TeamAgent.objects.filter(team=team, user_id__in=ids)}
    counts, seen, since = _open_counts(ids, [team.agency_id]), _last_seen(ids), active_after()
    found = []
    for profile in profiles:
        agent = own.get(profile.user_id)
        capacity = agent.capacity if agent is not None and agent.capacity is not None else team_capacity
        last_seen = seen.get(profile.user_id)
        found.append(Candidate(user=profile.user, open_cases=counts.get(profile.user_id, 0), capacity=capacity,
                               away=profile.is_away, last_seen_at=last_seen,
                               last_assigned_at=agent.last_assigned_at if agent else None,
                               at_desk=last_seen is not None and last_seen >= since))
    return found


def available_agents(team: Team) -> list[Any]:
    """The team's members who may get a case now (see the module's docstring), in the round robin's order."""
    return [c.user for c in candidates(team) if c.available]


def agent_loads(agency_ids: list[int]) -> list[AgentLoad]:
    """Every active staff member of these agencies, by name: open cases there, capacity, availability (five queries)."""
    profiles = list(StaffProfile.objects.filter(agencies__in=agency_ids, user__is_active=True).distinct()
                    .select_related("user").order_by("user__first_name", "user__last_name", "user__username"))
    ids = [p.user_id for p in profiles]
    teams = list(TeamAssignment.objects.filter(team__agency_id__in=agency_ids)
                 .values_list("team_id", "capacity"))
    member_rows = StaffProfile.teams.through.objects.filter(staffprofile__user_id__in=ids,
                                                            team__agency_id__in=agency_ids)
    memberships = list(member_rows.values_list("staffprofile__user_id", "team_id"))
    own = {(a.team_id, a.user_id): a.capacity for a in TeamAgent.objects.filter(
        user_id__in=ids, team__agency_id__in=agency_ids, capacity__isnull=False)}
    team_capacity = dict(teams)
    counts, seen, since = _open_counts(ids, agency_ids), _last_seen(ids), active_after()
    loads = []
    for profile in profiles:
        caps = [own.get((team_id, profile.user_id), team_capacity.get(team_id, DEFAULT_CAPACITY))
                for user_id, team_id in memberships if user_id == profile.user_id]
        capacity = min(caps) if caps else None
        open_cases, last_seen = counts.get(profile.user_id, 0), seen.get(profile.user_id)
        available = (last_seen is not None and last_seen >= since and not profile.is_away
                     and (capacity is None or open_cases < capacity))
        loads.append(AgentLoad(user=profile.user, open_cases=open_cases, capacity=capacity, available=available,
                               away=profile.is_away, last_seen_at=last_seen))
    return loads


def waiting_cases(team_id: int) -> QuerySet[Case]:
    """The team's unassigned open cases, oldest first: the queue automatic assignment empties."""
    return (Case.objects.filter(team_id=team_id, assignee__isnull=True, merged_into__isnull=True)
            .exclude(status__in=CaseStatus.finished()).order_by("created_at", "id"))


def automatic_team_ids() -> list[int]:
    return list(TeamAssignment.objects.filter(mode__in=AssignmentMode.automatic()).values_list("team_id", flat=True))


def automatic_team_ids_of(user_id: int) -> list[int]:
    """The teams of this person that assign automatically."""
    return list(TeamAssignment.objects.filter(mode__in=AssignmentMode.automatic(), team__members__user_id=user_id)
                .values_list("team_id", flat=True))


def active_after_minutes() -> int:
    return int(settings.ASSIGN_ACTIVE_MINUTES)
