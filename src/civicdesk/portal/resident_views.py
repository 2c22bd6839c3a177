"""The resident's own status page: their messages and the public updates, a comment or photo, "this is not fixed".

Only a browser that proved the request is the resident's (it submitted it, or gave its number and email: see
views.remember_case) gets this page and may post to it; anyone else is sent to the public request page.
"""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.cases.actions import finished_at
from civicdesk.cases.models import Case
from civicdesk.cases.public import public_status_label
from civicdesk.portal import queries
from civicdesk.portal.actions import UpdateRefused, can_reopen, send_resident_update, target_case
from civicdesk.portal.forms import ResidentUpdateForm
from civicdesk.portal.views import is_verified
from civicdesk.web.ratelimit import count_client_hit, limit_message, with_retry_after

SENT_SESSION_KEY = "portal_update_sent"


def status_context(request: HttpRequest, case: Case, *, comment_form: ResidentUpdateForm | None = None,
                   not_fixed_form: ResidentUpdateForm | None = None, refused: str = "") -> dict[str, Any]:
    """Everything the resident's page shows. A merged case shows its own resident's messages and its public updates,
    and of the survivor only the status and the public updates: visiting it never unlocks the survivor."""
    survivor = case.merged_into
    target = target_case(case)
    finished = target.is_finished
    return {
        "case": case, "verified": True, "status_label": public_status_label(case.status),
        "show_description": False,  # the resident reads their own words among the updates
        "updates": queries.status_updates(case, verified=True),
        "photos": queries.resident_photos(case),
        "survivor": survivor,
        "survivor_status_label": public_status_label(survivor.status) if survivor else "",
        "survivor_updates": queries.public_updates(survivor, exclude_written_on=case) if survivor else [],
        "handled_by": target.team.name if target.team_id and target.team else "",
        # issue 13 (measurement) fills this with the target time of the case's service level; None shows nothing
        "expected": queries.expected_time(target),
        "finished_at": finished_at(target) if finished else None,
        "can_comment": not finished,
        "can_reopen": finished and can_reopen(target),
        "reopen_days": settings.REOPEN_WINDOW_DAYS,
        "comment_form": comment_form or ResidentUpdateForm(prefix="comment"),
        "not_fixed_form": not_fixed_form or ResidentUpdateForm(prefix="notfixed", not_fixed=True),
        "refused": refused,
        "sent": request.session.pop(SENT_SESSION_KEY, ""),
    }


def _resident_case(request: HttpRequest, public_id: str) -> Case | None:
    case = queries.case_by_public_id(public_id)
    if case is None:
        raise Http404(gettext("No such request."))
    return case if is_verified(request, public_id) else None


@require_GET
def status_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The verified resident's page; anyone else (a follower's email link, a shared link) gets the public page."""
    case = _resident_case(request, public_id)
    if case is None:
        return redirect("portal:request_page", public_id=public_id[:32])
    return render(request, "portal/status_detail.html", status_context(request, case))


def _update(request: HttpRequest, public_id: str, *, not_fixed: bool) -> HttpResponse:
    case = _resident_case(request, public_id)
    if case is None:  # not proved to be theirs: a clear refusal, and nothing is written
        return render(request, "portal/status_forbidden.html", {"public_id": public_id[:32]}, status=403)
    prefix = "notfixed" if not_fixed else "comment"
    form = ResidentUpdateForm(request.POST, request.FILES, prefix=prefix, not_fixed=not_fixed)
    forms: dict[str, Any] = {"not_fixed_form" if not_fixed else "comment_form": form}
    hits = count_client_hit(request, "portal-comment", limit=settings.PORTAL_COMMENTS_PER_HOUR, window_seconds=3600)
    if not hits.allowed:
        form.is_valid()
        return with_retry_after(render(request, "portal/status_detail.html", status_context(
            request, case, refused=limit_message(hits), **forms), status=429), hits)
    if not form.is_valid():
        return render(request, "portal/status_detail.html", status_context(request, case, **forms), status=400)
    try:
        send_resident_update(case, form)
    except UpdateRefused as exc:
        return render(request, "portal/status_detail.html", status_context(request, case, refused=str(exc), **forms),
                      status=409)
    request.session[SENT_SESSION_KEY] = "not_fixed" if not_fixed else "comment"
    return redirect("portal:status_detail", public_id=case.public_id)


@require_POST
def comment(request: HttpRequest, public_id: str) -> HttpResponse:
    """A comment and/or photos from the resident, onto the case's timeline as their message."""
    return _update(request, public_id, not_fixed=False)


@require_POST
def not_fixed(request: HttpRequest, public_id: str) -> HttpResponse:
    """'This is not fixed': reopens the resolved or closed case (within REOPEN_WINDOW_DAYS), with the comment."""
    return _update(request, public_id, not_fixed=True)
