"""Duplicates (the portal's "Is it one of these?" prompt with "this is my problem too", agents' merge) and
agents' change of a case's location, which routes the case again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.agencies.models import Service
from civicdesk.cases.actions import add_follower, merge_cases
from civicdesk.cases.models import Case
from civicdesk.cases.permissions import can_act
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.identities import InvalidIdentity, normalize_email
from civicdesk.gis.actions import relocate_case
from civicdesk.gis.geometry import GeometryError, validate_point
from civicdesk.gis.queries import nearby_open_cases, open_cases


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


@require_POST
def follow(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add the resident (by email) as a follower with a +1 instead of opening a new case: from then on they get
    every public update of the case by email, each with a link that stops them."""
    case = open_cases().filter(public_id=public_id[:32]).first()
    template = "gis/_followed.html" if request.htmx else "gis/followed_page.html"  # type: ignore[attr-defined]
    if case is None:
        return render(request, template, {"error": gettext("That request is closed or does not exist."),
                                          "public_id": public_id[:32]}, status=404)
    context = {"case": case, "number": case.number, "public_id": case.public_id}
    raw = (request.POST.get("follow_email") or request.POST.get("email") or "").strip()
    try:
        email = normalize_email(raw)
    except InvalidIdentity:
        return render(request, template, {**context, "error": gettext(
            "Enter an email address like name@example.com so we can send you its updates.")}, status=422)
    contact = resolve_contact([("email", email)])
    add_follower(case, contact)
    return render(request, template, context)


@login_required
@require_POST
def merge_duplicate(request: HttpRequest, number: str, survivor: str) -> HttpResponse:
    """Fold a case into a likely duplicate the agent chose (cases.actions.merge_cases)."""
    duplicate_case = Case.objects.filter(number=number).first()
    survivor_case = Case.objects.filter(number=survivor).first()
    if duplicate_case is None or survivor_case is None:
        raise Http404("No such case.")
    if not (can_act(request.user, duplicate_case) and can_act(request.user, survivor_case)):
        return HttpResponseForbidden("You cannot change both cases.")
    try:
        merge_cases(duplicate_case, survivor_case, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(f"/staff/cases/{number}/")
    messages.success(request, f"{number} was merged into {survivor}.")
    return redirect(f"/staff/cases/{survivor}/")


@login_required
@require_POST
def relocate(request: HttpRequest, number: str) -> HttpResponse:
    """Move a case to a new point (and address); routing by location runs again and the timeline says why."""
    case = Case.objects.select_related("service", "agency").filter(number=number).first()
    if case is None:
        raise Http404("No such case.")
    if not can_act(request.user, case):
        return HttpResponseForbidden("You cannot change this case.")
    address = request.POST.get("address")
    try:
        relocate_case(case, request.POST.get("lat", "").strip(), request.POST.get("lon", "").strip(),
                      actor=request.user, address=address.strip() if address is not None else None)
    except GeometryError as exc:
        messages.error(request, f"The location was not changed: {exc}")
    else:
        case.refresh_from_db()
        messages.success(request, f"Location changed; the case is now with {case.team or case.agency.name}.")
    return redirect(f"/staff/cases/{number}/")
