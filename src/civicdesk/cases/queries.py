"""Read-only case queries: inbox filtering, sorting and paging, and the merged timeline of a case."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import IntegerField, Q, QuerySet, Value, When

from civicdesk.audit.models import AuditEntry
from civicdesk.cases.models import Case, CaseStatus, Message
from civicdesk.cases.permissions import staff_profile, visible_cases


class InboxView:
    ALL = "all"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    MY_TEAM = "my_team"
    CHOICES = [(ALL, "All cases"), (UNASSIGNED, "Unassigned"), (MINE, "Mine"), (MY_TEAM, "My team")]


SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
    "priority": ("-priority_rank", "-created_at"),
}


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    agency: str = ""  # slug
    team: int | None = None
    assignee: int | None = None
    service: str = ""  # code
    created_from: date | None = None
    created_to: date | None = None
    view: str = InboxView.ALL
    sort: str = "newest"
    open_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def search_cases(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Text search over number, subject and description."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(number__iexact=text) | Q(subject__icontains=text) | Q(description__icontains=text))


def filter_cases(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """The user's visible cases narrowed by the inbox filters, sorted; select_related keeps the list N+1 free."""
    cases = visible_cases(user).filter(merged_into__isnull=True)
    if filters.status:
        cases = cases.filter(status=filters.status)
    elif filters.open_only:
        cases = cases.exclude(status__in=CaseStatus.finished())
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.agency:
        cases = cases.filter(agency__slug=filters.agency)
    if filters.team:
        cases = cases.filter(team_id=filters.team)
    if filters.assignee:
        cases = cases.filter(assignee_id=filters.assignee)
    if filters.service:
        cases = cases.filter(service__code=filters.service)
    if filters.created_from:
        cases = cases.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        cases = cases.filter(created_at__date__lte=filters.created_to)
    if filters.view == InboxView.UNASSIGNED:
        cases = cases.filter(assignee__isnull=True)
    elif filters.view == InboxView.MINE:
        cases = cases.filter(assignee=user)
    elif filters.view == InboxView.MY_TEAM:
        profile = staff_profile(user)
        team_ids = list(profile.teams.values_list("pk", flat=True)) if profile else []
        cases = cases.filter(team_id__in=team_ids)
    cases = search_cases(cases, filters.q)
    order = SORTS.get(filters.sort, SORTS["newest"])
    if filters.sort == "priority":
        cases = cases.annotate(priority_rank=DbCase(
            When(priority="urgent", then=Value(3)), When(priority="high", then=Value(2)),
            When(priority="normal", then=Value(1)), default=Value(0), output_field=IntegerField()))
    return cases.select_related("agency", "team", "assignee", "service", "contact").order_by(*order)


@dataclass
class TimelineItem:
    """One row of a case timeline: either a message/note or an audit event."""

    at: datetime
    kind: str  # "in", "out", "note" or "event"
    message: Message | None = None
    event: AuditEntry | None = None


def case_timeline(case: Case, *, public_only: bool = False) -> list[TimelineItem]:
    """Messages, notes and audit events of a case in time order, with a fixed number of queries."""
    messages = case.messages.select_related("author", "contact").prefetch_related("attachments")
    if public_only:
        messages = messages.filter(is_public=True)
    items = [TimelineItem(at=m.created_at, kind=m.direction, message=m) for m in messages]
    if not public_only:
        events = case.audit.select_related("actor")
        items += [TimelineItem(at=e.at, kind="event", event=e) for e in events]
    items.sort(key=lambda item: item.at)
    return items
