"""Agency scoping: which cases a staff member may see and act on, enforced in every query."""

from typing import Any

from django.db import connection
from django.db.models import ExpressionWrapper, F, Func, IntegerField, Q, QuerySet

from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.cases.models import Case, CaseTransfer, TransferRequest, TransferRequestStatus


def staff_profile(user: Any) -> StaffProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except StaffProfile.DoesNotExist:
        return None


def is_admin(user: Any) -> bool:
    profile = staff_profile(user)
    return bool(getattr(user, "is_superuser", False) or (profile and profile.role == StaffRole.ADMIN))


def is_supervisor(user: Any) -> bool:
    """Supervisors and administrators (superusers too): they run teams and approve transfers."""
    profile = staff_profile(user)
    return is_admin(user) or bool(profile and profile.role == StaffRole.SUPERVISOR)


def supervised_agency_ids(user: Any) -> list[int] | None:
    """The agencies this user supervises: None means every agency (administrators), [] none (agents)."""
    if is_admin(user):
        return None
    return agency_ids(user) if is_supervisor(user) else []


def supervises(user: Any, agency_id: int | None) -> bool:
    """Whether the user is a supervisor of that agency, or an administrator."""
    supervised = supervised_agency_ids(user)
    return supervised is None or agency_id in supervised


def agency_ids(user: Any) -> list[int]:
    """The user's agencies, read once per profile object (a request's user: the inbox asks for them per view)."""
    profile = staff_profile(user)
    if profile is None:
        return []
    if not hasattr(profile, "_agency_ids"):
        profile._agency_ids = list(profile.agencies.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return list(profile._agency_ids)  # type: ignore[attr-defined]


def team_ids(user: Any) -> QuerySet[Any]:
    """The user's teams, as a subquery (no query of its own)."""
    return StaffProfile.teams.through.objects.filter(staffprofile__user_id=user.pk).values("team_id")


def _unindexed(column: str) -> ExpressionWrapper:
    return ExpressionWrapper(Func(F(column), template="+%(expressions)s"), output_field=IntegerField())


def visible_cases(user: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases of the user's agencies, cases transferred away from them (the trail), and cases assigned to them."""
    cases = Case.objects.all() if queryset is None else queryset
    if is_admin(user):
        return cases
    if staff_profile(user) is None:
        return cases.none()
    mine = agency_ids(user)
    if connection.vendor == "sqlite":
        # Unary + keeps SQLite from answering the OR with a MULTI-INDEX OR over every case of the agency (then
        # sorting them all); it walks the sort index or another filter's index and checks the scope per row.
        cases = cases.alias(scope_agency=_unindexed("agency_id"), scope_assignee=_unindexed("assignee_id"),
                            scope_id=_unindexed("id"))
        transfers = CaseTransfer.objects.filter(from_agency_id__in=mine).values("case_id")
        return cases.filter(Q(scope_agency__in=mine) | Q(scope_assignee=user.pk) | Q(scope_id__in=transfers))
    # An uncorrelated IN: the list is built once and probed per row (a correlated EXISTS made SQLite scan every
    # transfer of the agency for each case).
    transferred_from_mine = CaseTransfer.objects.filter(from_agency_id__in=mine).values("case_id")
    return cases.filter(Q(agency_id__in=mine) | Q(assignee=user) | Q(pk__in=transferred_from_mine))


def actionable_cases(user: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases the user may change: those currently owned by their agencies, or assigned to them."""
    cases = Case.objects.all() if queryset is None else queryset
    if is_admin(user):
        return cases
    if staff_profile(user) is None:
        return cases.none()
    return cases.filter(Q(agency_id__in=agency_ids(user)) | Q(assignee=user))


def actionable_only(user: Any, cases: QuerySet[Case]) -> QuerySet[Case]:
    """Already visible cases narrowed to those the user may act on (actionable_cases' rule), with the same care as
    visible_cases that SQLite does not answer the OR with a MULTI-INDEX OR."""
    if is_admin(user):
        return cases
    if staff_profile(user) is None:
        return cases.none()
    mine = agency_ids(user)
    if connection.vendor == "sqlite":
        cases = cases.alias(act_agency=_unindexed("agency_id"), act_assignee=_unindexed("assignee_id"))
        return cases.filter(Q(act_agency__in=mine) | Q(act_assignee=user.pk))
    return cases.filter(Q(agency_id__in=mine) | Q(assignee=user))


def read_only_only(user: Any, cases: QuerySet[Case]) -> QuerySet[Case]:
    """Already visible cases narrowed to those the user may only read: transferred away from their agencies, now
    another agency's and not assigned to them. The transfer list drives the query (few cases)."""
    if is_admin(user) or staff_profile(user) is None:
        return cases.none()
    mine = agency_ids(user)
    transferred_from_mine = CaseTransfer.objects.filter(from_agency_id__in=mine).values("case_id")
    return (cases.filter(pk__in=transferred_from_mine).exclude(agency_id__in=mine)
            .exclude(assignee_id=user.pk))


def read_only_case_ids(user: Any) -> QuerySet[Any]:
    """The ids of the cases read_only_only keeps (not merged away), driven from the transfer rows: PostgreSQL
    otherwise scans every case to semi-join the transfers. For counting the "Read only" view."""
    if is_admin(user) or staff_profile(user) is None:
        return CaseTransfer.objects.none().values("case_id")
    mine = agency_ids(user)
    return (CaseTransfer.objects.filter(from_agency_id__in=mine, case__merged_into__isnull=True)
            .exclude(case__agency_id__in=mine).exclude(case__assignee_id=user.pk)
            .order_by().values("case_id").distinct())


def can_act(user: Any, case: Case) -> bool:
    return actionable_cases(user).filter(pk=case.pk).exists()


def may_decide(user: Any, request: TransferRequest) -> bool:
    """Whether this user approves or rejects a pending transfer request: a supervisor of the agency it leaves."""
    return request.status == TransferRequestStatus.PENDING and supervises(user, request.from_agency_id)
