"""Logging a phone call: on a case (the form on the case page), or as a new case from the desk."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from civicdesk.cases.actions import CaseRefused
from civicdesk.inbox.access import actionable_case_or_403, staff_required
from civicdesk.inbox.call_forms import LogCallForm, NewCallCaseForm
from civicdesk.telephony import actions


def _on_timeline(number: str, message_id: int) -> str:
    return reverse("inbox:case", args=[number]) + f"#message-{message_id}"


@staff_required
@require_http_methods(["GET", "POST"])
def log_call_on_case(request: HttpRequest, number: str) -> HttpResponseBase:
    """The case page's "Log a phone call" form posts here; errors come back on a page of their own."""
    case = actionable_case_or_403(request, number)
    form = LogCallForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = actions.log_call(case, actor=request.user, **form.call_values())
        except (CaseRefused, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("The call was logged on the timeline."))
            return redirect(_on_timeline(case.number, message.pk))
    status = 400 if form.is_bound else 200
    return render(request, "inbox/log_call.html", {"form": form, "case": case}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def log_call_new(request: HttpRequest) -> HttpResponse:
    """The desk's "Log a call": a call that is not about a case yet becomes one."""
    form = NewCallCaseForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            message = actions.log_call_as_new_case(actor=request.user, service=form.cleaned_data["service"],
                                                   **form.call_values())
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            case = message.case
            assert case is not None  # a logged call always belongs to a case
            messages.success(request, gettext("The call was logged as case %(number)s.") % {"number": case.number})
            return redirect(_on_timeline(case.number, message.pk))  # type: ignore[return-value]
    status = 400 if form.is_bound else 200
    return render(request, "inbox/log_call.html", {"form": form, "case": None}, status=status)
