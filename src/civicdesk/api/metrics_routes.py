"""GET /api/metrics: figures per group over a range of days (docs/metrics.md), as JSON, CSV or XLSX; scoped to the
caller's agencies (administrators: all), grouped by each case's current agency, team, agent, service or channel."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from civicdesk.api import schemas
from civicdesk.cases.filters import CaseFilters, narrow
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.channels.models import Channel
from civicdesk.metrics import exports
from civicdesk.metrics.queries import GroupFigures, agency_figures, figures
from civicdesk.web.params import EARLIEST_DAY, LATEST_DAY, MAX_DB_INT

router = Router(tags=["metrics"])
MAX_DAYS = 3 * 366 + 1
Format = Literal["json", "csv", "xlsx"]


class SummaryOut(Schema):
    n: int = Field(description="How many durations.")
    mean: float | None = Field(description="Seconds; null when n is 0.")
    median: float | None = Field(description="Seconds, nearest rank (the lower middle value of an even count).")
    p90: float | None = Field(description="Seconds, nearest rank: the value at rank ceil(0.9 n).")


class RateOut(Schema):
    n: int
    rate: float | None = Field(description="Resolutions at first contact per 100 resolutions.")


class SlaOut(Schema):
    met: int
    breached: int
    compliance: float | None = Field(description="met / (met + breached) x 100; null when there were no targets.")


class CsatOut(Schema):
    sent: int
    answered: int
    score: float | None = Field(description="Answers of 4 or 5 out of 5 per 100 answers; null with no answers.")


class GroupOut(Schema):
    group: str = Field(description="Agency slug, team id, agent username, service code or channel; empty for none.")
    name: str
    created: int
    resolved: int = Field(description="Resolutions in the range (a case resolved twice counts twice).")
    reopened: int
    backlog: int = Field(description="Cases open at the end of the range.")
    first_response: SummaryOut
    next_response: SummaryOut
    resolution: SummaryOut = Field(description="From creation to each resolution, less time waiting on the "
                                               "resident.")
    resolution_since_reopen: SummaryOut = Field(description="From the last reopen (or creation) to each "
                                                            "resolution, less time waiting on the resident.")
    first_contact: RateOut
    backlog_age: SummaryOut | None = Field(description="Calendar age of the cases open now; only when the range "
                                                       "reaches today.")
    sla: SlaOut
    csat: CsatOut


class MetricsOut(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    group_by: str
    hours: str
    groups: list[GroupOut]


class MetricsQuery(Schema):
    """The range, the grouping and the hours, plus the case filters of GET /api/cases."""

    start: date = Field(alias="from", ge=EARLIEST_DAY, le=LATEST_DAY, description="First day, YYYY-MM-DD.")
    end: date = Field(alias="to", ge=EARLIEST_DAY, le=LATEST_DAY, description="Last day (included), YYYY-MM-DD.")
    group_by: Literal["agency", "team", "agent", "service", "channel", "area"] = Field(
        "agency", description="area: the area of DASHBOARD_AREA_TYPE (wards by default) holding the case's point; "
                              "its key is the area's id.")
    hours: Literal["calendar", "business"] = "calendar"
    format: Format = Field("json", description="json, csv or xlsx (also /api/metrics.csv and /api/metrics.xlsx).")
    q: schemas.QueryText = Field("", max_length=200)
    status: schemas.QueryText = Field("", max_length=40)
    channel: schemas.QueryText = Field("", max_length=40)
    agency: schemas.QueryText = Field("", max_length=100)
    service: schemas.QueryText = Field("", max_length=100)
    team: int | None = Field(None, ge=1, le=MAX_DB_INT)
    assignee: int | None = Field(None, ge=1, le=MAX_DB_INT)
    created_from: date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)
    created_to: date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)

    def to_filters(self) -> CaseFilters:
        return CaseFilters(
            q=self.q, statuses=(self.status,) if self.status else (), channel=self.channel, agency=self.agency,
            services=(self.service,) if self.service else (), team=self.team, assignee=self.assignee,
            created_from=self.created_from, created_to=self.created_to)


def compute(request: HttpRequest, query: MetricsQuery) -> list[GroupFigures]:
    """The caller's figures: the rollups for whole agencies, the per-case events when a case filter narrows."""
    if query.end < query.start:
        raise HttpError(400, "to: must not be before from.")
    if (query.end - query.start).days >= MAX_DAYS:
        raise HttpError(400, f"The range is longer than {MAX_DAYS} days; ask for less.")
    if query.channel and query.channel not in Channel.values:
        raise HttpError(400, f"channel: unknown channel {query.channel!r}; one of {', '.join(Channel.values)}.")
    if query.status and query.status not in CaseStatus.values:
        raise HttpError(400, f"status: unknown status {query.status!r}; one of {', '.join(CaseStatus.values)}.")
    scope = None if is_admin(request.user) else agency_ids(request.user)
    filters = query.to_filters()
    kwargs: dict[str, Any] = {"start": query.start, "end": query.end, "group_by": query.group_by,
                              "hours": query.hours}
    if not filters.narrowing():
        return agency_figures(scope, **kwargs)
    cases = Case.objects.all() if scope is None else Case.objects.filter(agency_id__in=scope)
    return figures(narrow(cases, filters), **kwargs)


def _file(request: HttpRequest, query: MetricsQuery, kind: str) -> HttpResponse:
    groups = compute(request, query)
    name = f"metrics-{query.start}-{query.end}-{query.group_by}-{query.hours}"
    if kind == "csv":
        response = HttpResponse(exports.to_csv(groups), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.to_xlsx(groups, name),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


FILES = {"200": {"description": "The same figures, one row per group.",
                 "content": {"text/csv": {"schema": {"type": "string"}},
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                 "schema": {"type": "string", "format": "binary"}}}}}
DESCRIPTION = (
    "Per group: counts of cases created, resolutions, reopens and the backlog; first response, next response and "
    "resolution times as `{n, mean, median, p90}` in seconds of calendar or business time (the business calendar of "
    "each case's agency or team, holidays and closures included); SLA compliance and satisfaction. An event counts "
    "on the day it happened, in the time zone of its agency's calendar. Automatic messages and notes never count "
    "as a response. Figures are precomputed and lag the cases by at most 60 seconds. Definitions: docs/metrics.md. "
    "Any case filter of GET /api/cases narrows the cases counted. An agent sees only their agencies' figures.")


@router.get("/metrics", response={200: MetricsOut, 400: schemas.ErrorOut, 422: schemas.ErrorOut},
            summary="Metrics per agency, team, agent, service or channel", description=DESCRIPTION,
            openapi_extra={"responses": {"200": {"content": FILES["200"]["content"]}}}, by_alias=True)
def get_metrics(request: HttpRequest, query: Query[MetricsQuery]) -> Any:
    if query.format != "json":
        return _file(request, query, query.format)
    groups = compute(request, query)
    return {"from": query.start, "to": query.end, "group_by": query.group_by, "hours": query.hours,
            "groups": [exports.as_dict(group) for group in groups]}


@router.get("/metrics.csv", response={400: schemas.ErrorOut, 422: schemas.ErrorOut}, openapi_extra={"responses": FILES},
            summary="Metrics as CSV", description="The figures of GET /api/metrics, one row per group.")
def get_metrics_csv(request: HttpRequest, query: Query[MetricsQuery]) -> HttpResponse:
    return _file(request, query, "csv")


@router.get("/metrics.xlsx", response={400: schemas.ErrorOut, 422: schemas.ErrorOut},
            openapi_extra={"responses": FILES}, summary="Metrics as a spreadsheet (XLSX)",
            description="The figures of GET /api/metrics, one row per group.")
def get_metrics_xlsx(request: HttpRequest, query: Query[MetricsQuery]) -> HttpResponse:
    return _file(request, query, "xlsx")
