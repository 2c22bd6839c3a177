"""Writes of staff management: accounts, roles, agencies and teams, away status and agency settings; each audited."""

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext

from civicdesk.agencies.models import Agency, StaffProfile, StaffRole, Team
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.core.jobs import AFTER_AWAY_CHANGE, SEND_PASSWORD_LINK, enqueue_on_commit

User = get_user_model()


def _membership(profile: StaffProfile) -> dict[str, Any]:
    """Role, agencies (slugs) and teams (names) of a profile, for before/after."""
    return {"role": profile.role, "agencies": sorted(profile.agencies.values_list("slug", flat=True)),
            "teams": sorted(str(t) for t in profile.teams.select_related("agency"))}


@transaction.atomic
def set_away(profile: StaffProfile, *, actor: Any, away: bool, until: date | None = None) -> StaffProfile:
    """Mark a staff member away (optionally through a last day) or back."""
    until = until if away else None
    before = {"away": profile.away, "away_until": profile.away_until.isoformat() if profile.away_until else None}
    after = {"away": away, "away_until": until.isoformat() if until else None}
    if before == after:
        return profile
    profile.away, profile.away_until = away, until
    profile.save(update_fields=["away", "away_until"])
    record(AuditAction.STAFF_AWAY_CHANGED, staff=profile.user, actor=actor, before=before, after=after)
    if before["away"] != away:  # away: their unanswered cases may go back to the queue; back: they take cases
        enqueue_on_commit(AFTER_AWAY_CHANGE, profile.user_id)
    return profile


@transaction.atomic
def add_team_member(team: Team, profile: StaffProfile, *, actor: Any) -> bool:
    """Put a staff member of the team's agency on the team; False when they already are (or not of the agency)."""
    if not profile.agencies.filter(pk=team.agency_id).exists() or profile.teams.filter(pk=team.pk).exists():
        return False
    profile.teams.add(team)
    record(AuditAction.TEAM_MEMBERS_CHANGED, staff=profile.user, actor=actor,
           after={"team": str(team), "added": profile.user.get_username()})
    return True


@transaction.atomic
def remove_team_member(team: Team, profile: StaffProfile, *, actor: Any) -> bool:
    """Take a staff member off the team; False when they were not on it."""
    if not profile.teams.filter(pk=team.pk).exists():
        return False
    profile.teams.remove(team)
    record(AuditAction.TEAM_MEMBERS_CHANGED, staff=profile.user, actor=actor,
           after={"team": str(team), "removed": profile.user.get_username()})
    return True


@transaction.atomic
def set_transfer_approval(agency: Agency, *, actor: Any, required: bool) -> Agency:
    """Whether agents' transfers out of the agency wait for a supervisor's approval."""
    if agency.transfer_approval_required == required:
        return agency
    agency.transfer_approval_required = required
    agency.save(update_fields=["transfer_approval_required"])
    record(AuditAction.AGENCY_CHANGED, actor=actor, before={"agency": agency.slug, "transfer_approval": not required},
           after={"agency": agency.slug, "transfer_approval": required})
    return agency


def record_channel_account_change(facts: dict[str, Any], *, actor: Any, before: dict[str, Any],
                                  after: dict[str, Any]) -> None:
    """One of an agency's channel accounts (a Twilio number) connected, disabled, enabled or removed: in the agency's
    audit trail, by `actor` or, without one, the command line (channels.actions calls it inside its transaction)."""
    record(AuditAction.AGENCY_CHANGED, actor=actor, actor_label="" if actor else "command line",
           before={**facts, **before}, after={**facts, **after})


def _check_teams(agencies: list[Agency], teams: list[Team]) -> None:
    outside = [str(t) for t in teams if t.agency_id not in {a.pk for a in agencies}]
    if outside:
        raise ValueError(gettext("A team must belong to one of the person's agencies: %(teams)s.")
                         % {"teams": ", ".join(outside)})


@transaction.atomic
def create_staff(*, actor: Any, username: str, email: str, first_name: str = "", last_name: str = "",
                 role: str = StaffRole.AGENT, agencies: list[Agency] | None = None,
                 teams: list[Team] | None = None) -> Any:
    """A new staff account with no password: an email with a link to choose one goes out on commit (the link is
    never shown, logged or stored)."""
    agencies, teams = list(agencies or []), list(teams or [])
    _check_teams(agencies, teams)
    if User.objects.filter(username__iexact=username).exists():
        raise ValueError(gettext("The username %(name)s is taken.") % {"name": username})
    user = User.objects.create_user(username=username, email=email, first_name=first_name,
                                    last_name=last_name)  # no password given: an unusable one
    profile = StaffProfile.objects.create(user=user, role=StaffRole(role))
    profile.agencies.set(agencies)
    profile.teams.set(teams)
    record(AuditAction.STAFF_CREATED, staff=user, actor=actor,
           after={"username": user.get_username(), "email": email, **_membership(profile)})
    send_password_link(user, actor=actor, invited=True)
    return user


@transaction.atomic
def update_staff(profile: StaffProfile, *, actor: Any, role: str, agencies: list[Agency], teams: list[Team],
                 first_name: str, last_name: str, email: str) -> StaffProfile:
    """Change a staff member's name, email, role, agencies and teams; one entry with what changed."""
    _check_teams(agencies, teams)
    user = profile.user
    before = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
              **_membership(profile)}
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    profile.role = StaffRole(role)
    profile.save(update_fields=["role"])
    profile.agencies.set(agencies)
    profile.teams.set(teams)
    after = {"first_name": first_name, "last_name": last_name, "email": email, **_membership(profile)}
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        record(AuditAction.STAFF_CHANGED, staff=user, actor=actor, before={k: before[k] for k in changed},
               after={k: after[k] for k in changed})
    return profile


@transaction.atomic
def set_active(user: Any, *, actor: Any, active: bool) -> Any:
    """Deactivate (the account can no longer sign in; its cases and history stay) or reactivate a staff member."""
    if user.pk == getattr(actor, "pk", None) and not active:
        raise ValueError(gettext("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(AuditAction.STAFF_CHANGED, staff=user, actor=actor, before={"active": not active},
           after={"active": active})
    return user


def send_password_link(user: Any, *, actor: Any, invited: bool = False) -> None:
    """Email the person a one-use link to choose a password (on commit); the link itself is never recorded."""
    if not user.email:
        raise ValueError(gettext("This account has no email address to send the link to."))
    record(AuditAction.PASSWORD_LINK_SENT, staff=user, actor=actor, after={"email": user.email, "invited": invited})
    enqueue_on_commit(SEND_PASSWORD_LINK, user.pk, invited)
