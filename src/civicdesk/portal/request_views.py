"""Public request pages, like FixMyStreet's report pages: what anyone may know of a request, and nothing personal."""

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.public import public_status_label
from civicdesk.gis.public import APPROXIMATE_METRES, approximate_point
from civicdesk.portal import queries
from civicdesk.portal.views import is_verified


def public_context(case: Case) -> dict[str, Any]:
    """The public facts of a case: service, status, dates, public updates, an approximate place, approved photos.

    Never the resident's name, contact details or address; the description only where the service publishes it."""
    survivor = case.merged_into
    point = approximate_point(case.lat, case.lon) if case.lat is not None and case.lon is not None else None
    return {
        "case": case, "status_label": public_status_label(case.status),
        "show_description": bool(case.service and case.service.publish_description and case.description),
        "updates": queries.status_updates(case, verified=False),
        "photos": list(queries.public_photos(case)),
        "point": point, "approximate_m": APPROXIMATE_METRES, "area_name": queries.area_name(case),
        "survivor": survivor,
        "survivor_status_label": public_status_label(survivor.status) if survivor else "",
        "can_follow": survivor is None and case.status not in CaseStatus.finished(),
    }


@require_GET
def request_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Anyone's view of a request, linked from the public map and its list."""
    case = queries.case_by_public_id(public_id)
    if case is None:
        raise Http404(gettext("No such request."))
    return render(request, "portal/request_page.html", {**public_context(case),
                                                        "verified": is_verified(request, public_id)})


@require_GET
def request_photo(request: HttpRequest, public_id: str, photo_id: int) -> FileResponse:
    """A photo staff approved for the public page; any other is a 404, as if it did not exist."""
    case = queries.case_by_public_id(public_id)
    photo = queries.public_photos(case).filter(pk=photo_id).first() if case else None
    if photo is None:
        raise Http404(gettext("No such photo."))
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=photo.filename)
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
