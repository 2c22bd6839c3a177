"""The agent inbox: every channel's cases, filtered, sorted and paged, with a cheap live-update poll."""

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from civicdesk.cases.queries import case_page, inbox_cases, latest_case_change
from civicdesk.cases.search import looks_like_case_number
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.forms import InboxFilterForm
from civicdesk.inbox.queries import case_from_number, filter_choices, list_signature

LIVE_PARAMS = ("since", "sig")


def _filter_params(query: QueryDict) -> QueryDict:
    params = query.copy()
    for name in LIVE_PARAMS:
        params.pop(name, None)
    return params


def inbox_context(request: HttpRequest) -> dict[str, Any]:
    """Filters, one page of cases and the live-poll URL; the marker is read before the page so no change slips by."""
    since = latest_case_change()
    params = _filter_params(request.GET)
    form = InboxFilterForm(params, **filter_choices(request.user))
    filters = form.to_filters()
    cases = inbox_cases(request.user, filters).defer("description", "attributes")
    page = case_page(cases, form.page_number, with_count=not filters.q)  # text search: no count, next-page only
    signature = list_signature(page)
    live_query = urlencode([*params.lists(), ("since", since), ("sig", signature)], doseq=True)
    return {
        "form": form, "filters": filters, "page": page, "cases": page.cases, "signature": signature,
        "live_url": f"{reverse('inbox:inbox-live')}?{live_query}", "params": params,
        "case_url": reverse("inbox:case", args=["N"])[:-2], "contact_url": reverse("inbox:contact", args=[0])[:-2],
    }


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    if looks_like_case_number(q):
        case = case_from_number(request.user, q)
        if case is not None:
            return redirect("inbox:case", number=case.number)
    return render(request, "inbox/inbox.html", inbox_context(request))


@staff_required
@require_GET
def inbox_live(request: HttpRequest) -> HttpResponse:
    """204 while nothing changed anywhere (one indexed MAX query); otherwise the list, only if it differs."""
    if latest_case_change() == request.GET.get("since"):
        return HttpResponse(status=204)
    context = inbox_context(request)
    context["list_changed"] = context["signature"] != request.GET.get("sig")
    return render(request, "inbox/_inbox_live.html", context)
