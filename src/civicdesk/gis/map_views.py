"""Map pages (public /map/, staff /staff/map/), their GeoJSON layers and hotspots."""

from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.filters import CaseFilters, StatusGroup, apply
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.permissions import is_admin, staff_profile, visible_cases
from civicdesk.cases.public import public_status_label
from civicdesk.gis import mapdata
from civicdesk.gis.hotspots import Grid, hotspot_features, hotspots
from civicdesk.inbox.access import staff_required
from civicdesk.web.params import BadParameter, finite_float

OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
PUBLIC_LIST_LIMIT = 50
HOTSPOT_CELL_M = 250  # the hotspot layer's default square size (?cell_m=)


def tile_settings() -> dict[str, str]:
    url = settings.MAP_TILE_URL
    attribution = settings.MAP_TILE_ATTRIBUTION
    if url and not attribution and "openstreetmap" in url:
        attribution = OSM_ATTRIBUTION
    return {"tile_url": url, "tile_attribution": attribution}


def _query(request: HttpRequest) -> tuple[CaseFilters, mapdata.MapLayout] | JsonResponse:
    try:
        return mapdata.parse_map_query(request.GET)
    except mapdata.FilterError as exc:
        return JsonResponse({"error": str(exc)}, status=400)


def status_options(*, staff: bool) -> list[tuple[str, str]]:
    """The status filter: the "open" group, then each status but CaseStatus.OPEN, whose value "open" is the group's
    (the map reads "open" as the group, so a second "Open" option was a duplicate that meant the same)."""
    single = [(value, str(label) if staff else public_status_label(value))
              for value, label in CaseStatus.choices if value != StatusGroup.OPEN]
    return [(StatusGroup.OPEN.value, str(StatusGroup.OPEN.label)), *single]


def _page_context(request: HttpRequest, *, staff: bool) -> dict[str, Any]:
    return {
        **tile_settings(), "staff": staff,
        "services": Service.objects.filter(is_active=True).order_by("name"),
        "statuses": status_options(staff=staff),
        "agencies": Agency.objects.filter(is_active=True).order_by("name") if staff else [],
        "selected": {k: request.GET.get(k, "") for k in ("service", "status", "agency", "from", "to")},
    }


def _public_list(request: HttpRequest) -> dict[str, Any]:
    """The public list under the map: the newest matching requests, by the map's filters (open ones by default)."""
    params = request.GET.copy()
    if not params.get("status"):
        params["status"] = StatusGroup.OPEN.value
    params.pop("agency", None)
    context: dict[str, Any] = {}
    try:
        filters, _layout = mapdata.parse_map_query(params)
    except mapdata.FilterError as exc:
        context["list_error"] = str(exc)
        filters = CaseFilters(status_group=StatusGroup.OPEN, located=True)
    cases = list(apply(Case.objects.all(), filters).select_related("service").order_by(
        "-created_at")[:PUBLIC_LIST_LIMIT])
    for case in cases:
        case.public_status = public_status_label(case.status)  # type: ignore[attr-defined]
    context.update(cases=cases, list_limit=PUBLIC_LIST_LIMIT)
    return context


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    """Open cases on a map, no personal data, with a plain list as the accessible alternative."""
    context = _page_context(request, staff=False)
    if not request.GET.get("status"):
        context["selected"]["status"] = StatusGroup.OPEN.value
    context.update(_public_list(request))
    return render(request, "gis/map_page.html", context)


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """The list under the public map alone (public_list.js swaps it in when the filters change)."""
    context = _public_list(request)
    return render(request, "gis/_public_list.html", context, status=400 if "list_error" in context else 200)


@require_GET
def public_cases_geojson(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if isinstance(query, JsonResponse):
        return query
    filters, layout = query
    return JsonResponse(mapdata.cases_geojson(None, replace(filters, agency=""), layout, public=True))


@require_GET
def areas_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(mapdata.areas_geojson(request.GET.get("type", "")))


def _scope(request: HttpRequest) -> Any:
    """None (everything) for administrators, else the cases the user may see."""
    return None if is_admin(request.user) else visible_cases(request.user)


def _staff_only(request: HttpRequest) -> None:
    if staff_profile(request.user) is None and not request.user.is_superuser:  # type: ignore[union-attr]
        raise Http404("Staff only.")


@staff_required
@require_GET
def staff_map(request: HttpRequest) -> HttpResponse:
    """The staff map in the staff layout, with a key for every layer (gis/staff_map.html)."""
    context = _page_context(request, staff=True)
    context.update(nav="map", boundary_types=mapdata.boundary_key(), hotspot_cell_m=HOTSPOT_CELL_M)
    return render(request, "gis/staff_map.html", context)


@login_required
@require_GET
def staff_cases_geojson(request: HttpRequest) -> JsonResponse:
    _staff_only(request)
    query = _query(request)
    if isinstance(query, JsonResponse):
        return query
    filters, layout = query
    return JsonResponse(mapdata.cases_geojson(_scope(request), filters, layout, public=False))


@login_required
@require_GET
def hotspots_geojson(request: HttpRequest) -> JsonResponse:
    """Significant Gi* hot and cold cells (FDR-controlled) for the filtered cases the user may see."""
    _staff_only(request)
    query = _query(request)
    if isinstance(query, JsonResponse):
        return query
    filters, _layout = query
    rows = mapdata.location_rows(_scope(request), filters, exact=False)
    extent = mapdata.extent_of(rows, filters)
    if extent is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    try:
        asked = finite_float(request.GET.get("cell_m", str(HOTSPOT_CELL_M)), "cell_m", low=-1e9, high=1e9)
        cell_m = max(50.0, min(asked, 5000.0))
    except BadParameter:
        return JsonResponse({"error": _("cell_m must be a number of metres.")}, status=400)
    grid = Grid.base(extent, cell_m)
    if grid.nx * grid.ny > 250_000:
        return JsonResponse({"error": "The area is too large for this cell size; zoom in or use larger cells."},
                            status=400)
    counts = mapdata.grid_counts(rows, grid)
    result = hotspots(counts)
    return JsonResponse({"type": "FeatureCollection", "properties": {"cell_m": cell_m, "cells": int(counts.size)},
                         "features": hotspot_features(grid, result, counts)})
