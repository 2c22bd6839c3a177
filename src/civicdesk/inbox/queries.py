"""Read-only lookups for the staff pages: filter choices, visible contacts, live-update signatures, push cursors."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case as CaseWhen
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When

from civicdesk.agencies.models import Agency, Service, Team
from civicdesk.audit.models import AuditEntry
from civicdesk.cases.models import Case, CaseTransfer, DeliveryStatus, Message
from civicdesk.cases.permissions import agency_ids, is_admin, visible_cases
from civicdesk.cases.queries import CasePage, page_signature
from civicdesk.contacts.models import Contact
from civicdesk.contacts.queries import contacts_visible_to
from civicdesk.inbox.access import is_staff_member
from civicdesk.inbox.models import SavedView

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


def saved_views(user: Any) -> list[SavedView]:
    return list(SavedView.objects.filter(user_id=user.pk).order_by("name", "id"))


def list_signature(page: CasePage) -> str:
    return hashlib.sha256(page_signature(page).encode()).hexdigest()[:20]


def visible_contacts(user: Any) -> QuerySet[Contact]:
    """Contacts with at least one case the user can see, and contacts merged into those (to undo a merge)."""
    return contacts_visible_to(user)


def case_from_number(user: Any, number: str) -> Case | None:
    return visible_cases(user).filter(number=number.strip().upper()).first()


@dataclass(frozen=True)
class CaseChange:
    """A case changed recently, with what decides who may see it (mirrors cases.permissions.visible_cases)."""

    id: int
    number: str
    updated_at: datetime
    agency_id: int | None
    assignee_id: int | None
    from_agencies: frozenset[int] = frozenset()


@dataclass(frozen=True)
class StreamScope:
    """Who a staff event stream belongs to, read once when it opens, so fan-out needs no query per stream."""

    user_id: int
    admin: bool
    agencies: frozenset[int]

    def may_see(self, change: CaseChange) -> bool:
        return (self.admin or change.agency_id in self.agencies or change.assignee_id == self.user_id
                or bool(change.from_agencies & self.agencies))


def stream_scope(user: Any) -> StreamScope | None:
    """The scope of a staff member's stream; None for a signed-in user without a staff profile."""
    if not is_staff_member(user):
        return None
    return StreamScope(user_id=user.pk, admin=is_admin(user), agencies=frozenset(agency_ids(user)))


def visible_case_id(user: Any, number: str) -> int | None:
    return visible_cases(user).filter(number=number.upper()).values_list("pk", flat=True).first()


def cases_changed_since(floor: datetime, limit: int) -> list[CaseChange]:
    """Cases with updated_at >= floor, newest first (the updated_at index); their transfer trail when there are any."""
    rows = list(Case.objects.filter(updated_at__gte=floor).order_by("-updated_at", "-id")
                .values_list("id", "number", "updated_at", "agency_id", "assignee_id")[:limit])
    if not rows:
        return []
    trail: dict[int, set[int]] = {}
    for case_id, agency_id in CaseTransfer.objects.filter(case_id__in=[row[0] for row in rows]).values_list(
            "case_id", "from_agency_id"):
        trail.setdefault(case_id, set()).add(agency_id)
    return [CaseChange(*row, from_agencies=frozenset(trail.get(row[0], ()))) for row in rows]


# Each delivery status weighs differently, so a message moving from one to another changes the sum.
DELIVERY_WEIGHT = CaseWhen(*(When(delivery_status=status, then=Value(10 ** index))
                             for index, status in enumerate(DeliveryStatus.values)),
                           default=Value(0), output_field=IntegerField())


def case_markers(case_ids: Iterable[int]) -> dict[int, str]:
    """For many cases in one query, what cases.queries.case_change_marker watches: the case row, its messages
    (new ones and delivery progress) and its audit trail."""
    messages = Message.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
    audit = AuditEntry.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
    rows = Case.objects.filter(pk__in=list(case_ids)).annotate(
        message_count=Subquery(messages.annotate(n=Count("id")).values("n")),
        delivery=Subquery(messages.annotate(n=Sum("attempts") + Sum(DELIVERY_WEIGHT)).values("n")),
        audit_count=Subquery(audit.annotate(n=Count("id")).values("n")),
    ).values_list("pk", "updated_at", "message_count", "delivery", "audit_count")
    return {pk: f"{updated.timestamp():.6f}:{count}:{delivery}:{audit_n}"
            for pk, updated, count, delivery, audit_n in rows}
