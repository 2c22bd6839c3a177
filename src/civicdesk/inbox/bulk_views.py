"""The inbox's bulk bar: one POST applies one action to the selected rows, then the list is drawn again with the same
filters (an HTMX partial with a status message; without JavaScript, a redirect back with the same message)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicdesk.inbox.access import staff_required
from civicdesk.inbox.bulk import BulkForm, BulkResult, run_bulk
from civicdesk.inbox.queries import filter_choices
from civicdesk.inbox.views import _inbox_with, inbox_context

MAX_REFUSALS_IN_MESSAGES = 20  # without JavaScript the refusals become one message each


def _form_errors(form: BulkForm) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@staff_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    choices = filter_choices(request.user)
    form = BulkForm(request.POST, staff=choices["staff"], teams=choices["teams"])
    result: BulkResult | None = run_bulk(request.user, form) if form.is_valid() else None
    back = form.back_query()
    if not getattr(request, "htmx", False):
        if result is None:
            for error in _form_errors(form):
                messages.error(request, error)
        else:
            (messages.success if result.done else messages.info)(request, result.summary())
            if result.refused:
                messages.warning(request, result.refused_heading())
            for refusal in result.refused[:MAX_REFUSALS_IN_MESSAGES]:
                messages.warning(request, _("%(number)s: %(reason)s") % {"number": refusal.number,
                                                                          "reason": refusal.reason})
        return redirect(_inbox_with(back.urlencode()))
    context = inbox_context(request, query=back)
    context.update({
        "bulk_result": result, "bulk_errors": _form_errors(form) if result is None else [],
        "selected": result.refused_numbers if result is not None else set(form.numbers),
    })
    return render(request, "inbox/_bulk_result.html", context, status=400 if result is None else 200)
