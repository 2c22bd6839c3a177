"""Read-only lookups for the staff pages: filter choices, visible contacts, and the live-update signatures."""

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from civicdesk.agencies.models import Agency, Service, Team
from civicdesk.cases.models import Case
from civicdesk.cases.permissions import agency_ids, is_admin, visible_cases
from civicdesk.cases.queries import CasePage, page_signature
from civicdesk.contacts.models import Contact

User = get_user_model()


def filter_choices(user: Any) -> dict[str, QuerySet[Any]]:
    """Agencies, teams, staff and services offered as inbox filters; teams and staff narrowed to the user's agencies."""
    teams = Team.objects.select_related("agency").order_by("agency__name", "name")
    staff = User.objects.filter(staff__isnull=False, is_active=True).order_by("first_name", "last_name", "username")
    if not is_admin(user):
        mine = agency_ids(user)
        teams = teams.filter(agency_id__in=mine)
        staff = staff.filter(staff__agencies__in=mine).distinct()
    return {
        "agencies": Agency.objects.filter(is_active=True).order_by("name"),
        "teams": teams,
        "staff": staff,
        "services": Service.objects.filter(is_active=True).order_by("name"),
    }


def list_signature(page: CasePage) -> str:
    return hashlib.sha256(page_signature(page).encode()).hexdigest()[:20]


def visible_contacts(user: Any) -> QuerySet[Contact]:
    """Contacts with at least one case the user can see, and contacts merged into those (to undo a merge)."""
    if is_admin(user):
        return Contact.objects.all()
    cases = visible_cases(user, Case.objects.filter(contact_id=OuterRef("pk")))
    merged_cases = visible_cases(user, Case.objects.filter(contact_id=OuterRef("merged_into_id")))
    return Contact.objects.filter(Exists(cases) | Exists(merged_cases))


def case_from_number(user: Any, number: str) -> Case | None:
    return visible_cases(user).filter(number=number.strip().upper()).first()
