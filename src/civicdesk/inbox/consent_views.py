"""Staff pages of SMS consent: deciding a flagged request to stop texts on a case, and the opt-out record's export."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import supervised_agency_ids
from civicdesk.conversations.consent_export import changes, csv_lines
from civicdesk.conversations.models import StopRequest
from civicdesk.conversations.stop_requests import decide
from civicdesk.inbox.access import actionable_case_or_403, staff_required
from civicdesk.inbox.case_views import case_context

DECISIONS = {"confirm": True, "dismiss": False}


@staff_required
@require_POST
def stop_request_decide(request: HttpRequest, number: str, pk: int, decision: str) -> HttpResponse:
    """Confirm the opt-out a text asked for, or dismiss the flag; either is audited on the case."""
    case = actionable_case_or_403(request, number)
    if decision not in DECISIONS or not StopRequest.objects.filter(pk=pk, case=case).exists():
        raise Http404("No such request on this case.")
    try:
        decide(pk, confirm=DECISIONS[decision], actor=request.user)
    except ValueError as exc:
        context = case_context(request, case)
        context["refused"] = str(exc)
        return render(request, "inbox/case_detail.html", context, status=409)
    messages.success(request, gettext("Opted out: no more texts go to this number from that sender.")
                     if DECISIONS[decision] else gettext("Dismissed: the resident's texts continue as before."))
    return redirect(reverse("inbox:case", args=[case.number]) + "#stop-requests")


def export_scope(request: HttpRequest) -> list[int] | None:
    """The agencies whose record this user may export: an administrator's are every one (None), a supervisor's
    their own; agents may not (403). ?agency=SLUG narrows it to one of them (404 outside them)."""
    allowed = supervised_agency_ids(request.user)
    if allowed == []:
        raise PermissionDenied("Only supervisors and administrators export the opt-out record.")
    slug = request.GET.get("agency", "").strip()[:100]
    if not slug:
        return allowed
    agency = Agency.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if agency is None or (allowed is not None and agency not in allowed):
        raise Http404("No such agency.")
    return [agency]


@staff_required
@require_GET
def consent_record(request: HttpRequest) -> HttpResponse:
    """The opt-out record page: how many changes there are, per agency, and the download."""
    scope = export_scope(request)
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    allowed = supervised_agency_ids(request.user)
    if allowed is not None:
        agencies = agencies.filter(pk__in=allowed)
    context: dict[str, Any] = {"nav": "consent", "agencies": list(agencies), "count": changes(scope).count(),
                               "agency": request.GET.get("agency", "")}
    return render(request, "inbox/consent_record.html", context)


@staff_required
@require_GET
def consent_export(request: HttpRequest) -> StreamingHttpResponse:
    scope = export_scope(request)
    response = StreamingHttpResponse(csv_lines(scope), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="opt-outs-{stamp}.csv"'
    return response
