"""Duplicates (the portal's "Is it one of these?" prompt with "this is my problem too", agents' merge) and
agents' change of a case's location, which routes the case again."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.agencies.models import Service
from civicdesk.cases.actions import CaseMerged, add_follower, merge_cases
from civicdesk.cases.permissions import can_act
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.identities import InvalidIdentity, normalize_email
from civicdesk.gis.actions import relocate_case
from civicdesk.gis.geometry import GeometryError, validate_point
from civicdesk.gis.queries import nearby_open_cases, open_cases
from civicdesk.inbox.access import staff_required, visible_case_or_404
from civicdesk.web.ratelimit import count_client_hit, limit_message, with_retry_after


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """HTMX fragment listing at most five open cases of the service within the nearby radius."""
    service = Service.objects.filter(code=request.GET.get("service", ""), is_active=True).first()
    try:
        lat, lon = validate_point(request.GET.get("lat"), request.GET.get("lon"))
    except GeometryError:
        return render(request, "gis/_nearby.html", {"cases": []})
    found = nearby_open_cases(service, lat, lon) if service else []
    return render(request, "gis/_nearby.html", {"cases": found, "service": service})


def follow_email(request: HttpRequest, public_id: str) -> str:
    """The email typed for this request: its own box (named by its public id, so that with several requests listed
    each button sends its own), else the older single box, else the request form's contact email."""
    for name in (f"follow_email_{public_id}", "follow_email", "email"):
        value = (request.POST.get(name) or "").strip()
        if value:
            return value
    return ""


@require_POST
def follow(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add the resident (by email) as a follower with a +1 instead of opening a new case: from then on they get
    every public update of the case by email, each with a link that stops them.

    With htmx the answer is the request's own fragment (gis/_follow.html: its error next to its email box, or the
    thanks), which gis/static/gis/follow.js swaps in even for a 4xx; without JavaScript it is a whole page."""
    public_id = public_id[:32]
    case = open_cases().filter(public_id=public_id).first()
    template = "gis/_follow.html" if request.htmx else "gis/followed_page.html"  # type: ignore[attr-defined]
    if case is None:
        return render(request, template, {"error": gettext("That request is closed or does not exist."),
                                          "public_id": public_id}, status=404)
    context = {"case": case, "number": case.number, "public_id": case.public_id}
    follows = count_client_hit(request, "portal-follow", limit=settings.PORTAL_FOLLOWS_PER_HOUR, window_seconds=3600)
    if not follows.allowed:
        return with_retry_after(render(request, template, {**context, "rate_limited": True,
                                                            "error": limit_message(follows)}, status=429), follows)
    raw = follow_email(request, case.public_id or "")
    try:
        email = normalize_email(raw)
    except InvalidIdentity:
        message = (gettext("Enter your email address so we can send you the updates on %(number)s.") if not raw
                   else gettext("Enter an email address like name@example.com so we can send you its updates."))
        return render(request, template, {**context, "email": raw[:254], "error": message % {
            "number": case.number} if not raw else message}, status=422)
    contact = resolve_contact([("email", email)], language=get_language() or "")  # their updates' language
    add_follower(case, contact)
    return render(request, template, {**context, "done": True})


@staff_required
@require_POST
def merge_duplicate(request: HttpRequest, number: str, survivor: str) -> HttpResponse:
    """Fold a case into a likely duplicate the agent chose (cases.actions.merge_cases).

    A case the agent cannot see is a 404 (a 403 would confirm it exists); one they see but cannot change, a 403.
    """
    duplicate_case = visible_case_or_404(request, number)
    survivor_case = visible_case_or_404(request, survivor)
    if not (can_act(request.user, duplicate_case) and can_act(request.user, survivor_case)):
        return HttpResponseForbidden(gettext("You cannot change both cases."))
    try:
        merge_cases(duplicate_case, survivor_case, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("inbox:case", number=duplicate_case.number)
    messages.success(request, f"{duplicate_case.number} was merged into {survivor_case.number}.")
    return redirect("inbox:case", number=survivor_case.number)


@staff_required
@require_POST
def relocate(request: HttpRequest, number: str) -> HttpResponse:
    """Move a case to a new point (and address); routing by location runs again and the timeline says why."""
    case = visible_case_or_404(request, number)  # 404 for a case of another agency, as on the case page
    if not can_act(request.user, case):
        return HttpResponseForbidden(gettext("You cannot change this case."))
    address = request.POST.get("address")
    try:
        relocate_case(case, request.POST.get("lat", "").strip(), request.POST.get("lon", "").strip(),
                      actor=request.user, address=address.strip() if address is not None else None)
    except GeometryError as exc:
        messages.error(request, f"The location was not changed: {exc}")
    except CaseMerged as exc:
        messages.error(request, str(exc))
    else:
        case.refresh_from_db()
        messages.success(request, f"Location changed; the case is now with {case.team or case.agency.name}.")
    return redirect("inbox:case", number=case.number)
