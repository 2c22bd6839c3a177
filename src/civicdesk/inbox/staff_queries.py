"""Read-only lookups of the team and staff pages: who a supervisor or administrator sees and may manage."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from civicdesk.agencies.models import Agency, StaffProfile, Team
from civicdesk.cases.permissions import agency_ids, is_admin, is_supervisor, supervises
from civicdesk.cases.workload import Load, open_loads

User = get_user_model()


def profiles() -> QuerySet[StaffProfile]:
    """Staff profiles with their user, agencies and teams (three queries for any number)."""
    return (StaffProfile.objects.select_related("user")
            .prefetch_related("agencies", Prefetch("teams", queryset=Team.objects.select_related("agency")))
            .order_by("user__first_name", "user__last_name", "user__username"))


def agencies_in_view(user: Any) -> QuerySet[Agency]:
    """The agencies whose staff this user sees on the team page: an administrator's are all of them."""
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    return agencies if is_admin(user) else agencies.filter(pk__in=agency_ids(user))


@dataclass
class Member:
    profile: StaffProfile
    load: Load
    teams: list[Team]


@dataclass
class AgencyTeam:
    """One agency on the team page: its active staff with their open load, and its teams with their members."""

    agency: Agency
    members: list[Member] = field(default_factory=list)
    teams: list[tuple[Team, list[StaffProfile], list[StaffProfile]]] = field(default_factory=list)  # members, others


def team_page(user: Any, agencies: list[Agency]) -> list[AgencyTeam]:
    """Every agency's members and teams in five queries, whatever the number of people (loads: one grouped)."""
    ids = [a.pk for a in agencies]
    people = list(profiles().filter(agencies__in=ids).distinct())  # the deactivated too: their cases need handing over
    loads = open_loads([p.user_id for p in people], ids)
    teams = list(Team.objects.filter(agency_id__in=ids).select_related("assignment").order_by("name"))
    pages = {a.pk: AgencyTeam(a) for a in agencies}
    for person in people:
        for agency in person.agencies.all():
            if agency.pk in pages:
                own = [t for t in person.teams.all() if t.agency_id == agency.pk]
                pages[agency.pk].members.append(Member(person, loads.get((person.user_id, agency.pk), Load()), own))
    for team in teams:
        members = [p for p in people if team in p.teams.all()]
        candidates = [m.profile for m in pages[team.agency_id].members
                      if m.profile.user.is_active and m.profile not in members]
        pages[team.agency_id].teams.append((team, members, candidates))
    return [pages[a.pk] for a in agencies]


def _may_manage(actor: Any, profile: StaffProfile) -> bool:
    """Supervisors manage the agents and supervisors of their agencies; administrators everyone but superusers
    (only a superuser manages a superuser)."""
    if profile.user.is_superuser and not getattr(actor, "is_superuser", False):
        return False
    if is_admin(actor):
        return True
    if not is_supervisor(actor) or profile.is_admin:
        return False
    return any(supervises(actor, a.pk) for a in profile.agencies.all())


def _shares_an_agency(actor: Any) -> Q:
    return Q() if is_admin(actor) else Q(agencies__in=agency_ids(actor))


def team_member_or_404(actor: Any, user_pk: int) -> StaffProfile:
    """A staff member of the actor's agencies (404 otherwise), whom the actor may manage (403 otherwise)."""
    profile = profiles().filter(_shares_an_agency(actor), user_id=user_pk).distinct().first()
    if profile is None:
        raise Http404("No such staff member.")
    if not _may_manage(actor, profile):
        raise PermissionDenied("Only a supervisor of their agency or an administrator manages this person.")
    return profile


def team_or_404(actor: Any, pk: int) -> Team:
    team = Team.objects.select_related("agency").filter(
        pk=pk, **({} if is_admin(actor) else {"agency_id__in": agency_ids(actor)})).first()
    if team is None:
        raise Http404("No such team.")
    if not supervises(actor, team.agency_id):
        raise PermissionDenied("Only a supervisor of the team's agency or an administrator changes its members.")
    return team


def agency_or_404(actor: Any, pk: int) -> Agency:
    agency = Agency.objects.filter(pk=pk, **({} if is_admin(actor) else {"pk__in": agency_ids(actor)})).first()
    if agency is None:
        raise Http404("No such agency.")
    if not supervises(actor, agency.pk):
        raise PermissionDenied("Only a supervisor of the agency or an administrator changes its settings.")
    return agency


def require_supervisor(actor: Any) -> None:
    if not is_supervisor(actor):
        raise PermissionDenied("Only supervisors and administrators open this page.")


def require_admin(actor: Any) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Only administrators manage staff accounts.")


def staff_account_or_404(actor: Any, user_pk: int) -> StaffProfile:
    """An account for the staff pages of administrators: 404 outside the actor's agencies, 403 for non-admins and
    for a superuser's account unless the actor is one."""
    profile = profiles().filter(_shares_an_agency(actor), user_id=user_pk).distinct().first()
    if profile is None:
        raise Http404("No such staff member.")
    require_admin(actor)
    if profile.user.is_superuser and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only a superuser changes a superuser's account.")
    return profile
