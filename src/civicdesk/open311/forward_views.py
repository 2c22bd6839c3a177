"""The staff action behind the forward form: POST /open311/forward/<case_number>/ (CSRF-protected, staff only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from civicdesk.cases.permissions import can_act, visible_cases
from civicdesk.cases.search import looks_like_case_number
from civicdesk.open311.forwarding import forward_case
from civicdesk.open311.models import ExternalEndpoint


@require_POST
@login_required
def forward(request: HttpRequest, case_number: str) -> HttpResponse:
    case = visible_cases(request.user).filter(number=case_number.upper()).first() \
        if looks_like_case_number(case_number) else None
    if case is None:
        raise Http404("No such case.")
    if not can_act(request.user, case):
        return HttpResponseForbidden("You cannot act on this case.")
    if case.merged_into_id:
        return HttpResponse(gettext("This case was merged into another case and is read-only; forward that case "
                                    "instead."), status=409, content_type="text/plain; charset=utf-8")
    endpoint_id = request.POST.get("endpoint") or ""
    endpoint = ExternalEndpoint.objects.filter(pk=int(endpoint_id), is_active=True).first() \
        if endpoint_id.isdigit() else None
    if endpoint is None:
        messages.error(request, "Choose the jurisdiction to forward the case to.")
    else:
        try:
            forward_case(case, endpoint, request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{case.number} is being forwarded to {endpoint.name}.")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = f"/staff/cases/{case.number}/"
    return redirect(target)
