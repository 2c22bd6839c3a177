"""The public scorecard pages and their CSV and JSON: the city's agencies, one agency, one service."""

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from civicdesk.agencies.models import Agency
from civicdesk.scorecard import queries
from civicdesk.scorecard.presentation import context, linked
from civicdesk.scorecard.queries import Row, Scorecard

COLUMNS = ("created", "resolved", "first_response_median", "resolution_median", "within_target", "satisfaction")


def _agency(slug: str) -> Agency:
    agency = queries.agency_by_slug(slug)
    if agency is None or not agency.is_active:
        raise Http404(gettext("No such agency."))
    return agency


def _data(card: Scorecard, key_name: str) -> dict[str, Any]:
    def row(r: Row, name: str) -> dict[str, Any]:
        return {name: r.key, "name": r.label, **{c: r.figures.get(c) for c in COLUMNS}}
    return {"computed_at": card.computed_at.isoformat() if card.computed_at else None,
            "hours": "calendar", "units": {"first_response_median": "seconds", "resolution_median": "seconds",
                                           "within_target": "percent", "satisfaction": "percent"},
            "last_12_months": [row(r, key_name) for r in card.rows],
            "by_month": [row(m, "month") for m in card.months]}


def _csv(card: Scorecard, key_name: str, filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", key_name, "name", *COLUMNS])
    for r in card.rows:
        writer.writerow(["last_12_months", r.key, r.label, *("" if r.figures.get(c) is None else r.figures[c]
                                                                for c in COLUMNS)])
    for m in card.months:
        writer.writerow([m.key, "", "", *("" if m.figures.get(c) is None else m.figures[c] for c in COLUMNS)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _answer(request: HttpRequest, card: Scorecard, fmt: str, key_name: str, filename: str,
            template: str, extra: dict[str, Any]) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(_data(card, key_name), json_dumps_params={"ensure_ascii": False})
    if fmt == "csv":
        return _csv(card, key_name, filename)
    return render(request, template, {"card": card, **extra})


@require_GET
def city(request: HttpRequest, fmt: str = "") -> HttpResponse:
    card = queries.city_scorecard()
    return _answer(request, card, fmt, "agency", "scorecard", "scorecard/city.html",
                   context(card, linked(card.rows, "scorecard:agency")))


@require_GET
def agency(request: HttpRequest, slug: str, fmt: str = "") -> HttpResponse:
    found = _agency(slug)
    card = queries.agency_scorecard(found)
    return _answer(request, card, fmt, "service", f"scorecard-{found.slug}", "scorecard/agency.html",
                   {"agency": found, **context(card, linked(card.rows, "scorecard:service", slug=found.slug))})


@require_GET
def service(request: HttpRequest, slug: str, code: str, fmt: str = "") -> HttpResponse:
    found = _agency(slug)
    picked = queries.service_of(found, code)
    if picked is None:
        raise Http404(gettext("No such service."))
    card = queries.service_scorecard(picked)
    return _answer(request, card, fmt, "service", f"scorecard-{found.slug}-{picked.code}", "scorecard/service.html",
                   {"agency": found, "service": picked, **context(card, linked(card.rows, ""))})
