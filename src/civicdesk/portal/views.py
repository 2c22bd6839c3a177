"""Public portal pages: browse services, make a request, and check a request's status without an account."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.portal import queries
from civicdesk.portal.actions import submit_request
from civicdesk.portal.forms import ServiceRequestForm, StatusLookupForm
from civicdesk.web.ratelimit import count_client_hit, limit_message, with_retry_after

VERIFIED_SESSION_KEY = "portal_verified_cases"
MAX_VERIFIED_IN_SESSION = 20
NOT_FOUND = ("We could not find a request with that number and email address. "
             "Check both and try again.")


def remember_case(request: HttpRequest, public_id: str) -> None:
    """Let this browser see the resident's own messages on the case's status page without entering the email
    again. Only the case the resident proved (by submitting it, or by number and email) is remembered."""
    ids = [n for n in request.session.get(VERIFIED_SESSION_KEY, []) if n != public_id]
    request.session[VERIFIED_SESSION_KEY] = [*ids, public_id][-MAX_VERIFIED_IN_SESSION:]


def is_verified(request: HttpRequest, public_id: str) -> bool:
    return public_id in request.session.get(VERIFIED_SESSION_KEY, [])


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"topics": queries.services_by_topic()})


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    return render(request, "portal/service_list.html", {"topics": queries.services_by_topic(q), "q": q})


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/agency_list.html", {"agencies": queries.agencies_with_services()})


@require_http_methods(["GET", "POST"])
def service_request(request: HttpRequest, code: str) -> HttpResponse:
    service = queries.service_for_form(code)
    if service is None:
        raise Http404("No such service.")
    if request.method != "POST":
        return render(request, "portal/service_form.html", {"service": service, "form": ServiceRequestForm(service)})
    form = ServiceRequestForm(service, request.POST, request.FILES)
    submissions = count_client_hit(request, "portal-submit", limit=settings.PORTAL_SUBMISSIONS_PER_HOUR,
                                   window_seconds=3600)
    if not submissions.allowed:
        return with_retry_after(render(request, "portal/service_form.html", {
            "service": service, "form": form, "rate_limited": limit_message(submissions)}, status=429), submissions)
    if form.is_valid():
        result = submit_request(form)
        if result.case is not None:
            remember_case(request, result.case.public_id or "")
            return redirect("portal:confirmation", public_id=result.case.public_id)
        form.add_error(None, "We could not save your request because of a problem on our side. "
                             "Our staff have been told; please try again later.")
    return render(request, "portal/service_form.html", {"service": service, "form": form},
                  status=200 if form.is_valid() else 400)


@require_GET
def confirmation(request: HttpRequest, public_id: str) -> HttpResponse:
    case = queries.case_by_public_id(public_id) if is_verified(request, public_id) else None
    if case is None:
        return redirect("portal:status_lookup")
    return render(request, "portal/confirmation.html", {"case": case, "has_email": bool(
        case.contact and case.contact.email)})


@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/status_lookup.html", {"form": StatusLookupForm()})
    form = StatusLookupForm(request.POST)
    lookups = count_client_hit(request, "status-lookup", limit=settings.PORTAL_STATUS_LOOKUPS_PER_MINUTE)
    if not lookups.allowed:
        form.is_valid()
        return with_retry_after(render(request, "portal/status_lookup.html", {
            "form": form, "rate_limited": limit_message(lookups)}, status=429), lookups)
    if form.is_valid():
        case = queries.find_case_for_resident(form.cleaned_data["number"], form.cleaned_data["email"])
        if case is not None and case.public_id:
            remember_case(request, case.public_id)
            return redirect("portal:status_detail", public_id=case.public_id)
        return render(request, "portal/status_lookup.html", {"form": form, "not_found": NOT_FOUND}, status=404)
    return render(request, "portal/status_lookup.html", {"form": form}, status=400)


@require_GET
def status_photo(request: HttpRequest, public_id: str, photo_id: int) -> FileResponse:
    case = queries.case_by_public_id(public_id) if is_verified(request, public_id) else None
    photo = queries.resident_photos(case).filter(pk=photo_id).first() if case else None
    if photo is None:
        raise Http404(gettext("No such photo."))
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=photo.filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response
