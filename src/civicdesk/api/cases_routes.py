"""The REST API's tags, links and merges of cases: through cases.actions (audited as on the staff pages) and scoped
like them: 404 for a case (in the path or the body) the user cannot see, 403 for one they may see but not change,
409 when the case refuses (merged away, merged into itself)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from civicdesk.api import schemas
from civicdesk.api.queries import visible_tags
from civicdesk.api.scoping import case_for
from civicdesk.cases import actions
from civicdesk.cases.models import Case, Tag

router = Router(tags=["cases"])
REFUSALS = {400: schemas.ErrorOut, 403: schemas.ErrorOut, 404: schemas.ErrorOut, 409: schemas.ErrorOut}


class TagIn(Schema):
    tag: schemas.Text = Field(min_length=1, max_length=60,
                              description="A tag name; stored trimmed and in lower case, at most 60 characters.")


class CaseTagsOut(Schema):
    number: str
    tags: list[str]


class CaseNumberIn(Schema):
    number: schemas.Text = Field(min_length=1, max_length=32, description="The other case's number.")


class LinkOut(Schema):
    number: str
    related: list[str] = Field(description="The numbers of every case linked to this one.")


def _tags_out(case: Case) -> dict[str, Any]:
    return {"number": case.number, "tags": sorted(t.name for t in case.tags.all())}


@router.get("/tags", response=list[str], summary="List the tags in use on cases you can see")
def list_tags(request: HttpRequest) -> list[str]:
    return list(visible_tags(request.user).values_list("name", flat=True))


@router.post("/cases/{number}/tags", response={200: CaseTagsOut, **REFUSALS}, summary="Add a tag to a case")
def add_tag(request: HttpRequest, number: str, body: TagIn) -> dict[str, Any]:
    case = case_for(request, number, to_change=True)
    name = actions.clean_tag_name(body.tag)
    if not name:
        raise HttpError(400, "tag: must not be empty.")
    actions.change_tag(case, actor=request.user, tag=Tag.objects.get_or_create(name=name)[0], present=True)
    return _tags_out(case)


@router.delete("/cases/{number}/tags/{tag}", response={200: CaseTagsOut, **REFUSALS},
               summary="Remove a tag from a case", description="Removing a tag the case does not have changes nothing.")
def remove_tag(request: HttpRequest, number: str, tag: str) -> dict[str, Any]:
    case = case_for(request, number, to_change=True)
    found = Tag.objects.filter(name=actions.clean_tag_name(tag)).first()
    if found is None:
        actions.refuse_if_merged(case)
    else:
        actions.change_tag(case, actor=request.user, tag=found, present=False)
    return _tags_out(case)


@router.post("/cases/{number}/links", response={200: LinkOut, **REFUSALS}, summary="Link two cases",
             description="The case in the path must be yours to change; the other one only visible to you, as on "
                         "the case page. Links go both ways.")
def link_cases(request: HttpRequest, number: str, body: CaseNumberIn) -> dict[str, Any]:
    case = case_for(request, number, to_change=True)
    other = case_for(request, body.number)
    actions.link_cases(case, other, actor=request.user)
    return {"number": case.number, "related": sorted(case.related.values_list("number", flat=True))}


@router.post("/cases/{number}/merge", response={200: schemas.CaseItemOut, **REFUSALS},
             summary="Merge a case into another",
             description="The case in the path is closed and points to the one in the body, which receives its "
                         "messages and followers. Both must be yours to change.")
def merge_case(request: HttpRequest, number: str, body: CaseNumberIn) -> dict[str, Any]:
    duplicate = case_for(request, number, to_change=True)
    survivor = case_for(request, body.number, to_change=True)
    actions.merge_cases(duplicate, survivor, actor=request.user)
    return schemas.case_item(survivor)
