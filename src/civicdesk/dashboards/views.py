"""The dashboards' pages: the live queue (every staff member, for their own agencies; agents' loads for supervisors)
with an HTMX panel polled every few seconds, and the trends (supervisors and administrators only)."""

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import is_admin, is_supervisor, supervised_agency_ids
from civicdesk.dashboards.areas import area_type, missed_targets
from civicdesk.dashboards.live import live_queue, load_url
from civicdesk.dashboards.trends import GROUP_CHOICES, Period, chart_data, summary, trends
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.staff_queries import require_supervisor
from civicdesk.metrics.models import Hours

POLL_SECONDS = 10
LIVE_PARAMS: set[str] = set()
TREND_PARAMS = {"period", "group_by", "hours"}


def _unknown(request: HttpRequest, allowed: set[str]) -> HttpResponse | None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        return HttpResponseBadRequest(_("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)})
    return None


def _live_context(request: HttpRequest) -> dict[str, Any]:
    queue = live_queue(request.user)
    loads = [(load, load_url(load)) for load in queue.loads] if queue.loads is not None else None
    return {"queue": queue, "loads": loads, "poll_seconds": POLL_SECONDS, "now": timezone.now(),
            "is_supervisor": is_supervisor(request.user)}


@staff_required
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    if (bad := _unknown(request, LIVE_PARAMS)) is not None:
        return bad
    return render(request, "dashboards/live.html", {"nav": "dashboard", **_live_context(request)})


@staff_required
@require_GET
def live_panel(request: HttpRequest) -> HttpResponse:
    """The live panel alone, for the page's HTMX poll."""
    if (bad := _unknown(request, LIVE_PARAMS)) is not None:
        return bad
    return render(request, "dashboards/_live_panel.html", _live_context(request))


def _choice(request: HttpRequest, name: str, choices: list[str], default: str) -> str:
    value = request.GET.get(name, default) or default
    if value not in choices:
        raise ValueError(_("“%(name)s” must be one of: %(choices)s.") % {"name": name, "choices": ", ".join(choices)})
    return value


@staff_required
@require_GET
def trends_page(request: HttpRequest) -> HttpResponse:
    """Trends of the supervisor's agencies (administrators: every agency); agents are refused (403)."""
    require_supervisor(request.user)
    if (bad := _unknown(request, TREND_PARAMS)) is not None:
        return bad
    try:
        period = _choice(request, "period", Period.values, Period.MONTH)
        group_by = _choice(request, "group_by", [value for value, _label in GROUP_CHOICES], GROUP_CHOICES[0][0])
        hours = _choice(request, "hours", Hours.values, Hours.BUSINESS)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    agency_ids = supervised_agency_ids(request.user)
    result = trends(agency_ids, period=period, group_by=group_by, hours=hours, today=timezone.localdate())
    missed = missed_targets(agency_ids, result.spans[0].start, result.spans[-1].end)
    agencies = Agency.objects.all() if agency_ids is None else Agency.objects.filter(pk__in=agency_ids)
    return render(request, "dashboards/trends.html", {
        "nav": "dashboard", "result": result, "period": period, "group_by": group_by, "hours": hours,
        "periods": Period.choices, "groups": GROUP_CHOICES, "hours_choices": Hours.choices,
        "chart_json": json.dumps(chart_data(result)), "summary": summary(result), "missed": missed,
        "missed_json": json.dumps({"points": missed.points,
                                   "areas": {a.area_id: a.count for a in missed.areas}}),
        "areas_url": f"{reverse('gis:areas')}?{urlencode({'type': area_type()})}",
        "agency_names": sorted(a.name for a in agencies), "is_admin": is_admin(request.user),
    })
