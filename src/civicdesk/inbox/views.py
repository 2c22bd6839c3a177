"""The agent inbox: every channel's cases in views with counts, filtered, sorted and paged, with a cheap live poll;
and the saved views (named filter sets) of each staff member."""

import math
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import OperationalError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.cases.queries import (
    PAGE_SIZE,
    case_page,
    exact_total,
    inbox_base,
    inbox_views,
    latest_case_change,
    view_cases,
    view_counts,
)
from civicdesk.cases.search import looks_like_case_number
from civicdesk.contacts.models import Identity
from civicdesk.conversations.stop_requests import mark_pending
from civicdesk.inbox import actions
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.bulk import BulkForm
from civicdesk.inbox.filter_forms import InboxFilterForm, SavedViewForm
from civicdesk.inbox.models import SavedView
from civicdesk.inbox.queries import case_from_number, filter_choices, list_signature, saved_views

LIVE_PARAMS = ("since", "sig")


def _filter_params(query: QueryDict) -> QueryDict:
    params = query.copy()
    for name in LIVE_PARAMS:
        params.pop(name, None)
    return params


def inbox_context(request: HttpRequest, query: QueryDict | None = None) -> dict[str, Any]:
    """Filters (from `query`, else the request's), the views with their counts, one page of cases, the bulk bar and
    the live-poll URL; the marker is read before the page so no change slips by."""
    since = latest_case_change()
    params = _filter_params(request.GET if query is None else query)
    choices = filter_choices(request.user)
    form = InboxFilterForm(params, **choices)
    filters = form.to_filters()
    base = inbox_base(request.user, filters).defer("description", "attributes").prefetch_related(
        Prefetch("contact__identities", queryset=Identity.objects.order_by("pk")))  # contact labels, one query
    views = inbox_views(request.user)
    counts = view_counts(request.user, views)
    cases = view_cases(base, filters, request.user)
    total = counts.get(filters.view) if not filters.narrowing() - {"view", "sort"} else None  # the view's own count
    number = form.page_number
    if form.wants_last_page:
        total = exact_total(cases, total)
        number = max(1, math.ceil(total.value / PAGE_SIZE))
    page = case_page(cases, number, total=total, with_count=not filters.q)  # a text search is not counted
    mark_pending(page.cases)  # the badge of cases whose resident may have asked to stop texts
    signature = list_signature(page)
    filter_params = form.filter_params()
    live_query = urlencode([*params.lists(), ("since", since), ("sig", signature)], doseq=True)
    own_views = saved_views(request.user)
    current_query = urlencode(form.filter_params(keep_defaults=False))
    without_area = urlencode({name: value for name, value in filter_params.items() if name != "area"})
    page_query = urlencode([*filter_params.items(), *([("page", str(page.number))] if page.number > 1 else [])])
    return {
        "form": form, "filters": filters, "without_area": without_area, "page": page, "cases": page.cases,
        "signature": signature,
        "live_url": f"{reverse('inbox:inbox-live')}?{live_query}", "params": params, "filter_params": filter_params,
        "views": [(view, view.label, counts[view]) for view in views], "saved_views": own_views,
        "current_saved_view": next((v for v in own_views if v.query == current_query), None),
        "save_form": SavedViewForm(initial={"query": current_query}), "read_only_view": filters.view == "read_only",
        "case_url": reverse("inbox:case", args=["N"])[:-2], "contact_url": reverse("inbox:contact", args=[0])[:-2],
        "bulk_form": BulkForm(initial={"back": page_query}, staff=choices["staff"], teams=choices["teams"]),
        "selected": set(),
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
    """204 while nothing changed anywhere (one indexed MAX query); otherwise the view counts, and the list only if
    it differs."""
    try:
        if latest_case_change() == request.GET.get("since"):
            return HttpResponse(status=204)
        context = inbox_context(request)
        context["list_changed"] = context["signature"] != request.GET.get("sig")
        return render(request, "inbox/_inbox_live.html", context)
    except OperationalError:  # the database is busy this instant: nothing to say now, the next poll asks again
        return HttpResponse(status=204)


def _inbox_with(query: str) -> str:
    """The inbox URL with a query string from a form, re-encoded (only parameters, never another place)."""
    clean = urlencode(list(QueryDict(query[:2000]).items()))
    return reverse("inbox:inbox") + (f"?{clean}" if clean else "")


@staff_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the filters of the inbox the form was on (re-validated, in the inbox form's vocabulary) under a name."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name of at most 80 characters."))
        return redirect(_inbox_with(str(request.POST.get("query", ""))))
    filters = InboxFilterForm(QueryDict(form.cleaned_data["query"]), **filter_choices(request.user))
    query = urlencode(filters.filter_params(keep_defaults=False))
    try:
        view, created = actions.save_view(request.user, form.cleaned_data["name"], query)
    except actions.TooManySavedViews:
        messages.error(request, _("You have %(count)d saved views already: delete one first.")
                       % {"count": actions.MAX_SAVED_VIEWS})
        return redirect(_inbox_with(query))
    note = _("Saved the view “%(name)s”.") if created else _("Updated the view “%(name)s” with these filters.")
    messages.success(request, note % {"name": view.name})
    return redirect(_inbox_with(query))


@staff_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view: SavedView | None = actions.delete_view(request.user, pk)
    if view is None:
        return HttpResponse(_("You have no saved view with that number."), status=404)
    messages.success(request, _("Deleted the view “%(name)s”.") % {"name": view.name})
    return redirect(_inbox_with(str(request.POST.get("back", ""))))
