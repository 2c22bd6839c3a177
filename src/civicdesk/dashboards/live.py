"""The live queue: open, unassigned, breaching-soon and breached cases per agency, the cases waiting longest, and
each agent's load. Every count is the count of the inbox URL it links to: both apply the same CaseFilters to the
same scope (cases.filters.apply over the user's visible cases, narrowed to those they may act on)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from civicdesk.agencies.models import Agency
from civicdesk.assignment.queries import AgentLoad, agent_loads
from civicdesk.cases.filters import CaseFilters, InboxView, SlaState, Sort, StatusGroup, apply
from civicdesk.cases.models import Case
from civicdesk.cases.permissions import agency_ids, is_admin, is_supervisor, visible_cases
from civicdesk.dashboards.links import inbox_url
from civicdesk.slas.models import CaseTarget

WAITING_LIMIT = 10


class Figure:
    """The figures of the live queue, each one set of inbox filters (beyond the user's scope)."""

    OPEN: dict[str, str] = {"status_group": StatusGroup.OPEN}
    UNASSIGNED: dict[str, str] = {"status_group": StatusGroup.OPEN, "view": InboxView.UNASSIGNED}
    BREACHING_SOON: dict[str, str] = {"view": InboxView.BREACHING_SOON}
    BREACHED: dict[str, str] = {"status_group": StatusGroup.OPEN, "sla": SlaState.BREACHED}
    ALL: dict[str, dict[str, str]] = {"open": OPEN, "unassigned": UNASSIGNED, "breaching_soon": BREACHING_SOON,
                                      "breached": BREACHED}


def filters_of(params: dict[str, str]) -> CaseFilters:
    return CaseFilters(status_group=params.get("status_group", ""), view=params.get("view", InboxView.ALL),
                       sla=params.get("sla", ""), agency=params.get("agency", ""))


def queue_cases(user: Any, params: dict[str, str]) -> QuerySet[Case]:
    """The cases of one figure, as the inbox finds them for this user."""
    return apply(visible_cases(user), filters_of(params), user=user)


def counted_cases(user: Any, params: dict[str, str]) -> QuerySet[Case]:
    """The same cases as queue_cases, for counting: a figure by SLA state reaches its cases from the targets (an
    IN over the targets' partial indexes) instead of testing every case of the scope for a target (EXISTS per row,
    the inbox's way, which stops at a page). The sets are equal: test_dashboards checks each count against the
    inbox."""
    sla = params.get("sla") or (SlaState.BREACHING_SOON if params.get("view") == InboxView.BREACHING_SOON else "")
    if not sla:
        return queue_cases(user, params)
    rest = {**params, "view": InboxView.ALL, "sla": ""}
    return queue_cases(user, rest).filter(pk__in=target_case_ids(sla))


def target_case_ids(state: str) -> QuerySet[Any]:
    """The ids of the cases in an SlaState, from their targets (cases.filters.sla_condition's conditions)."""
    if state == SlaState.BREACHING_SOON:
        targets = CaseTarget.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, breached_at__isnull=True,
                                            due_at__isnull=False, warned_at__isnull=False)
    elif state == SlaState.BREACHED:
        targets = CaseTarget.objects.filter(breached_at__isnull=False)
    else:
        raise ValueError(state)
    return targets.values("case_id")


@dataclass
class Cell:
    count: int
    url: str


@dataclass
class QueueRow:
    """One agency's figures (agency None: the total row)."""

    agency: Agency | None
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class LiveQueue:
    rows: list[QueueRow]
    total: QueueRow
    waiting: list[Case]
    waiting_url: str
    loads: list[AgentLoad] | None  # None: not shown to this user (agents)


def _rows(user: Any) -> tuple[list[QueueRow], QueueRow]:
    """One grouped count per figure (four queries, however many agencies), then the agencies' names (one)."""
    counts: dict[str, dict[int, int]] = {}
    for name, params in Figure.ALL.items():
        grouped = counted_cases(user, params).order_by().values("agency_id").annotate(n=Count("pk"))
        counts[name] = {row["agency_id"]: row["n"] for row in grouped}
    ids = set(agency_ids(user)) if not is_admin(user) else set()
    for per_agency in counts.values():
        ids |= set(per_agency)
    agencies = sorted(Agency.objects.filter(pk__in=ids), key=lambda a: a.name.casefold())
    rows: list[QueueRow] = []
    for agency in agencies:
        row = QueueRow(agency)
        for name, params in Figure.ALL.items():
            row.cells[name] = Cell(counts[name].get(agency.pk, 0), inbox_url(**params, agency=agency.slug))
        rows.append(row)
    total = QueueRow(None, {name: Cell(sum(counts[name].values()), inbox_url(**params))
                            for name, params in Figure.ALL.items()})
    return rows, total


def live_queue(user: Any) -> LiveQueue:
    """The live queue of the user's agencies (administrators: every agency); agents' loads for supervisors."""
    rows, total = _rows(user)
    waiting_params = {**Figure.UNASSIGNED, "sort": Sort.OLDEST}
    waiting = list(apply(visible_cases(user), CaseFilters(status_group=StatusGroup.OPEN, view=InboxView.UNASSIGNED,
                                                          sort=Sort.OLDEST), user=user)
                   .select_related("agency", "service")[:WAITING_LIMIT])
    loads = None
    if is_supervisor(user):
        ids = list(Agency.objects.values_list("pk", flat=True)) if is_admin(user) else agency_ids(user)
        loads = agent_loads(ids)
    return LiveQueue(rows=rows, total=total, waiting=waiting, waiting_url=inbox_url(**waiting_params), loads=loads)


def load_url(load: AgentLoad) -> str:
    return inbox_url(status_group=StatusGroup.OPEN, assignee=load.user.pk)
