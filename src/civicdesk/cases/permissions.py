"""Agency scoping: which cases a staff member may see and act on, enforced in every query."""

from typing import Any

from django.db import connection
from django.db.models import ExpressionWrapper, F, Func, IntegerField, Q, QuerySet

from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.cases.models import Case, CaseTransfer


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


def agency_ids(user: Any) -> list[int]:
    profile = staff_profile(user)
    if profile is None:
        return []
    return list(profile.agencies.values_list("pk", flat=True))


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


def can_act(user: Any, case: Case) -> bool:
    return actionable_cases(user).filter(pk=case.pk).exists()
