"""Read-only questions of supervisors: each person's open cases, and the transfers awaiting their approval."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, QuerySet

from civicdesk.cases.models import Case, CaseStatus, Priority, TransferRequest, TransferRequestStatus
from civicdesk.cases.permissions import supervised_agency_ids, visible_cases

OPEN_STATUSES = [s for s in CaseStatus.values if s not in CaseStatus.finished()]


@dataclass
class Load:
    """One person's open cases in one agency: how many, by status and by priority, and since when."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_priority: dict[str, int] = field(default_factory=dict)
    oldest: datetime | None = None

    def add(self, status: str, priority: str, count: int, oldest: datetime) -> None:
        self.total += count
        self.by_status[status] = self.by_status.get(status, 0) + count
        self.by_priority[priority] = self.by_priority.get(priority, 0) + count
        self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)

    def statuses(self) -> list[tuple[str, int]]:
        """(label, count) in the statuses' order, only those with cases."""
        return [(str(CaseStatus(s).label), self.by_status[s]) for s in OPEN_STATUSES if s in self.by_status]

    @property
    def urgent_or_high(self) -> int:
        return self.by_priority.get(Priority.URGENT, 0) + self.by_priority.get(Priority.HIGH, 0)


def open_cases_assigned(user_ids: Iterable[int], agency_ids: list[int] | None) -> QuerySet[Case]:
    """Open cases (not resolved, closed or merged away) assigned to these people, in these agencies (None: all)."""
    cases = Case.objects.filter(assignee_id__in=list(user_ids), status__in=OPEN_STATUSES, merged_into__isnull=True)
    return cases if agency_ids is None else cases.filter(agency_id__in=agency_ids)


def open_loads(user_ids: Iterable[int], agency_ids: list[int] | None) -> dict[tuple[int, int], Load]:
    """Each person's load per agency, keyed (user id, agency id): one grouped query, however many people."""
    loads: dict[tuple[int, int], Load] = {}
    rows = (open_cases_assigned(user_ids, agency_ids).order_by()
            .values_list("assignee_id", "agency_id", "status", "priority")
            .annotate(n=Count("id"), oldest=Min("created_at")))
    for assignee, agency, status, priority, count, oldest in rows:
        loads.setdefault((assignee, agency), Load()).add(status, priority, count, oldest)
    return loads


def pending_transfers(user: Any) -> QuerySet[TransferRequest]:
    """Transfer requests awaiting a decision by this user: out of the agencies they supervise, oldest first."""
    supervised = supervised_agency_ids(user)
    requests = (TransferRequest.objects.filter(status=TransferRequestStatus.PENDING)
                .select_related("case", "from_agency", "to_agency", "requested_by").order_by("requested_at", "id"))
    return requests if supervised is None else requests.filter(from_agency_id__in=supervised)


def visible_transfer_request(user: Any, pk: int) -> TransferRequest | None:
    """The request if its case is one this user may see (else None: a 404, never a 403 that says it exists)."""
    return (TransferRequest.objects.select_related("case", "from_agency", "to_agency", "requested_by")
            .filter(pk=pk, case__in=visible_cases(user).values("pk")).first())


def pending_transfer_of(case: Case) -> TransferRequest | None:
    return (case.transfer_requests.filter(status=TransferRequestStatus.PENDING)
            .select_related("from_agency", "to_agency", "requested_by").first())
