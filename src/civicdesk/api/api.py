"""The JSON REST API at /api/: cases, their timelines and the agent actions on them, scoped like the inbox; the
other routers (tags, links, merges, services) are wired in here."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError

from civicdesk.api import schemas
from civicdesk.api.auth import PersonalToken, RateLimitExceeded, StaffSession
from civicdesk.api.cases_routes import router as cases_router
from civicdesk.api.metrics_routes import router as metrics_router
from civicdesk.api.openapi import DocumentedApi, StaffDocs
from civicdesk.api.scoping import case_for as _case_for
from civicdesk.api.services_routes import router as services_router
from civicdesk.cases import actions, transfers
from civicdesk.cases.filters import CaseFilters, InboxView, Sort
from civicdesk.cases.models import Case, ReplyAudience
from civicdesk.cases.queries import case_page, case_timeline, inbox_cases
from civicdesk.channels.models import Channel
from civicdesk.conversations import replies
from civicdesk.inbox.forms import AssignForm, TransferForm
from civicdesk.web.params import EARLIEST_DAY, LATEST_DAY, MAX_DB_INT, MAX_PAGE

api = DocumentedApi(
    title="CivicDesk API", version="1", auth=[PersonalToken(), StaffSession()], urls_namespace="api", docs=StaffDocs(),
    description="Cases from every channel, their tags, links and merges, and the services. Authenticate with "
                "`Authorization: Bearer <token>` (`civicdesk token create USERNAME` prints a token), or, on this page, "
                "with your signed-in staff session: \"Try it out\" sends the session's CSRF token with every write. "
                "Every call sees only the cases of your agencies, as the staff inbox does: a case you cannot see is a "
                "404, one you may see but not change (transferred away) a 403. Every operation can answer 401 (not "
                "signed in) and 429 (too many requests this minute; see `Retry-After`).")
api.add_router("/", cases_router)
api.add_router("/", services_router)
api.add_router("/", metrics_router)


@api.exception_handler(RateLimitExceeded)
def rate_limited(request: HttpRequest, exc: RateLimitExceeded) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(actions.CaseRefused)
def refused(request: HttpRequest, exc: actions.CaseRefused) -> HttpResponse:
    """The case refuses the change (merged away, an illegal status change): 409, in the staff pages' words."""
    return api.create_response(request, {"detail": str(exc)}, status=409)


class CaseQuery(Schema):
    """The inbox filters, with the inbox form's limits: ids fit a 64-bit column, pages stop at MAX_PAGE."""

    q: schemas.QueryText = Field("", max_length=200)
    status: schemas.QueryText = Field("", max_length=40)
    channel: schemas.QueryText = Field("", max_length=40)
    agency: schemas.QueryText = Field("", max_length=100)
    service: schemas.QueryText = Field("", max_length=100)
    team: int | None = Field(None, ge=1, le=MAX_DB_INT)
    assignee: int | None = Field(None, ge=1, le=MAX_DB_INT)
    created_from: date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)
    created_to: date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)
    view: schemas.QueryText = Field(InboxView.ALL.value, max_length=40)
    sort: schemas.QueryText = Field(Sort.NEWEST.value, max_length=40)
    sla: schemas.QueryText = Field("", max_length=40)
    page: int = Field(1, ge=1, le=MAX_PAGE)

    def to_filters(self) -> CaseFilters:
        """The API's parameters in the shared vocabulary (the inbox form's meaning: one status, one service)."""
        return CaseFilters(
            q=self.q, statuses=(self.status,) if self.status else (), channel=self.channel, agency=self.agency,
            services=(self.service,) if self.service else (), team=self.team, assignee=self.assignee,
            created_from=self.created_from, created_to=self.created_to, view=self.view, sort=self.sort,
            sla=self.sla)


def _detail(case: Case) -> dict[str, Any]:
    return {**schemas.case_item(case), "description": case.description, "address": case.address,
            "lat": case.lat, "lon": case.lon, "attributes": case.attributes or {},
            "tags": [tag.name for tag in case.tags.all()],
            "merged_into": case.merged_into.number if case.merged_into else None,
            "timeline": [schemas.timeline_entry(item) for item in case_timeline(case)]}


@api.get("/cases", response=schemas.CaseListOut, summary="List and search cases")
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    if filters.channel and filters.channel not in Channel.values:
        raise HttpError(400, f"channel: unknown channel {filters.channel!r}; one of {', '.join(Channel.values)}.")
    page = case_page(inbox_cases(request.user, filters.to_filters()), filters.page)
    return {"count": page.count, "count_capped": page.count_capped, "page": page.number, "has_next": page.has_next,
            "items": [schemas.case_item(case) for case in page.cases]}


@api.get("/cases/{number}", response={200: schemas.CaseDetailOut, 404: schemas.ErrorOut},
         summary="One case with its whole timeline")
def get_case(request: HttpRequest, number: str) -> dict[str, Any]:
    return _detail(_case_for(request, number))


@api.post("/cases/{number}/replies", response={201: schemas.MessageOut, 400: schemas.ErrorOut,
                                               403: schemas.ErrorOut, 404: schemas.ErrorOut},
          summary="Reply to the resident (private by default) or post a public update",
          description="`audience` says who sees the reply: `private` (the default) or `public` (the status page, "
                      "the public map, Open311, and an email to every follower).")
def post_reply(request: HttpRequest, number: str, body: schemas.ReplyIn) -> Status:
    case = _case_for(request, number, to_change=True)
    identity = None
    if body.identity:
        identity = replies.resident_identity(case, body.identity)
        if identity is None:
            raise HttpError(400, "identity: not one of the resident's own addresses, numbers or handles.")
    message = replies.reply(case, author=request.user, text=body.text, public=body.audience == ReplyAudience.PUBLIC,
                            identity=identity)
    return Status(201, schemas.message_out(message))


@api.post("/cases/{number}/notes", response={201: schemas.MessageOut, 403: schemas.ErrorOut, 404: schemas.ErrorOut},
          summary="Add an internal note")
def post_note(request: HttpRequest, number: str, body: schemas.TextIn) -> Status:
    message = actions.add_note(_case_for(request, number, to_change=True), author=request.user, text=body.text)
    return Status(201, schemas.message_out(message))


@api.post("/cases/{number}/assign", response={200: schemas.CaseItemOut, 400: schemas.ErrorOut,
                                              403: schemas.ErrorOut, 404: schemas.ErrorOut, 409: schemas.ErrorOut},
          summary="Assign to a person and/or a team of the case's agency")
def post_assign(request: HttpRequest, number: str, body: schemas.AssignIn) -> dict[str, Any]:
    case = _case_for(request, number, to_change=True)
    choices = AssignForm(case=case).fields
    assignee = team = None
    if body.assignee:
        assignee = choices["assignee"].queryset.filter(username=body.assignee).first()  # type: ignore[attr-defined]
        if assignee is None:
            raise HttpError(400, f"assignee: {body.assignee} is not active staff of {case.agency.name}.")
    if body.team is not None:
        team = choices["team"].queryset.filter(pk=body.team).first()  # type: ignore[attr-defined]
        if team is None:
            raise HttpError(400, f"team: {body.team} is not a team of {case.agency.name}.")
    actions.assign(case, actor=request.user, assignee=assignee, team=team)
    return schemas.case_item(case)


class TransferPendingOut(Schema):
    detail: str = Field(description="The transfer awaits a supervisor's approval; the case has not moved yet.")


@api.post("/cases/{number}/transfer", response={200: schemas.CaseItemOut, 202: TransferPendingOut,
                                                400: schemas.ErrorOut, 403: schemas.ErrorOut, 404: schemas.ErrorOut,
                                                409: schemas.ErrorOut},
          summary="Transfer to another agency, with a reason",
          description="Where the case's agency requires a supervisor's approval of transfers out and the caller is "
                      "not one of its supervisors, the transfer becomes a pending request (202).")
def post_transfer(request: HttpRequest, number: str, body: schemas.TransferIn) -> Any:
    case = _case_for(request, number, to_change=True)
    agency = TransferForm(case=case).fields["to_agency"].queryset.filter(  # type: ignore[attr-defined]
        slug=body.agency).first()
    if agency is None:
        raise HttpError(400, f"agency: {body.agency!r} is not another active agency.")
    try:
        pending = transfers.transfer_or_request(case, actor=request.user, to_agency=agency, reason=body.reason.strip())
    except actions.CaseRefused:
        raise  # merged away: the API's 409
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    if pending is not None:
        return Status(202, {"detail": f"The transfer to {agency.name} awaits approval by a supervisor of "
                                      f"{case.agency.name}."})
    return schemas.case_item(case)


@api.post("/cases/{number}/status", response={200: schemas.CaseItemOut, 403: schemas.ErrorOut,
                                              404: schemas.ErrorOut, 409: schemas.ErrorOut},
          summary="Change the status", description="A case cannot go back to `new`, and a merged-away case "
                                                   "cannot change: both are a 409.")
def post_status(request: HttpRequest, number: str, body: schemas.StatusIn) -> dict[str, Any]:
    case = _case_for(request, number, to_change=True)
    actions.change_status(case, actor=request.user, status=body.status)
    return schemas.case_item(case)


@api.post("/cases/{number}/priority", response={200: schemas.CaseItemOut, 403: schemas.ErrorOut,
                                                404: schemas.ErrorOut, 409: schemas.ErrorOut},
          summary="Set the priority")
def post_priority(request: HttpRequest, number: str, body: schemas.PriorityIn) -> dict[str, Any]:
    case = _case_for(request, number, to_change=True)
    actions.set_priority(case, actor=request.user, priority=body.priority)
    return schemas.case_item(case)


api.add_router("/contacts", "civicdesk.api.contacts_routes.router")
