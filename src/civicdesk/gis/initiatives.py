"""Who may see and change service initiatives, and what their form offers (read-only).

The rule: every staff member sees the city-wide initiatives (no agency) and those of their own agencies;
administrators see all. Supervisors create and change initiatives of their own agencies; administrators create and
change any, city-wide ones included. Agents only look.
"""

from typing import Any

from django.db.models import Q, QuerySet

from civicdesk.agencies.models import Agency, Service, StaffRole
from civicdesk.cases.permissions import agency_ids, is_admin, staff_profile
from civicdesk.gis.lookup import active_generation_key
from civicdesk.gis.models import Area, Initiative


def visible_initiatives(user: Any) -> QuerySet[Initiative]:
    initiatives = Initiative.objects.select_related("area", "area__type", "agency")
    if is_admin(user):
        return initiatives
    return initiatives.filter(Q(agency__isnull=True) | Q(agency_id__in=agency_ids(user)))


def may_create(user: Any) -> bool:
    """Administrators, and supervisors with at least one agency."""
    if is_admin(user):
        return True
    profile = staff_profile(user)
    return profile is not None and profile.role == StaffRole.SUPERVISOR and bool(agency_ids(user))


def may_change(user: Any, initiative: Initiative) -> bool:
    if is_admin(user):
        return True
    profile = staff_profile(user)
    return (profile is not None and profile.role == StaffRole.SUPERVISOR and initiative.agency_id is not None
            and initiative.agency_id in agency_ids(user))


def agency_choices(user: Any) -> QuerySet[Agency]:
    """The agencies this user may own an initiative by."""
    agencies = Agency.objects.order_by("name")
    return agencies if is_admin(user) else agencies.filter(pk__in=agency_ids(user))


def service_choices(user: Any) -> QuerySet[Service]:
    """Active services of the agencies the user may choose (all, for administrators)."""
    services = Service.objects.filter(is_active=True).select_related("agency").order_by("agency__name", "name")
    return services if is_admin(user) else services.filter(agency_id__in=agency_ids(user))


def area_choices(current: Area | None = None) -> QuerySet[Area]:
    """Boundaries of the active generation (plus the initiative's own area when it is from an older one)."""
    key = active_generation_key()
    found = Q(generation_low_id__lte=key[0], generation_high_id__gte=key[0]) if key else Q(pk__in=[])
    if current is not None:
        found |= Q(pk=current.pk)
    return Area.objects.filter(found).select_related("type").order_by("type__display_order", "type__name", "name")
