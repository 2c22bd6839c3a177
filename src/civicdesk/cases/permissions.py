"""Agency scoping: which cases a staff member may see and act on, enforced in every query."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

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


def visible_cases(user: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases of the user's agencies, cases transferred away from them (the trail), and cases assigned to them."""
    cases = Case.objects.all() if queryset is None else queryset
    if is_admin(user):
        return cases
    if staff_profile(user) is None:
        return cases.none()
    mine = agency_ids(user)
    transferred_from_mine = CaseTransfer.objects.filter(case=OuterRef("pk"), from_agency_id__in=mine)
    return cases.filter(Q(agency_id__in=mine) | Q(assignee=user) | Exists(transferred_from_mine))


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
