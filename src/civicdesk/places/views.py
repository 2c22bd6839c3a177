"""Public JSON endpoints: address and place suggestions, the nearest address to a point, and the base map layer."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicdesk.gis.geometry import GeometryError, validate_point
from civicdesk.places.models import PlaceKind
from civicdesk.places.queries import BadBbox, basemap, parse_bbox
from civicdesk.places.search import current_index
from civicdesk.web.ratelimit import WindowCount, count_client_hit, limit_message, with_retry_after

MAX_QUERY = 120
DEFAULT_NEAREST_M = 150.0
MAX_NEAREST_M = 500.0


def _limited(request: HttpRequest) -> WindowCount | None:
    count = count_client_hit(request, "places-lookup", limit=settings.PLACES_LOOKUPS_PER_MINUTE)
    return None if count.allowed else count


def _too_many(count: WindowCount) -> JsonResponse:
    response = JsonResponse({"error": limit_message(count)}, status=429)
    return with_retry_after(response, count)  # type: ignore[return-value]


@require_GET
def search(request: HttpRequest) -> JsonResponse:
    """?q=100 mian st -> {"results": [{label, kind, lat, lon, address}, ...]} (at most 8)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    limited = _limited(request)
    if limited:
        return _too_many(limited)
    results = current_index().search(query) if len(query) >= 2 else []
    kinds = {"address": _("Address"), "street": _("Street"), **dict(PlaceKind.choices)}
    return JsonResponse({"query": query, "results": [
        {**r.as_dict(), "kind_label": str(kinds.get(r.kind, ""))} for r in results]})


@require_GET
def nearest(request: HttpRequest) -> JsonResponse:
    """?lat=&lon=[&max_m=] -> {"address": {label, lat, lon, distance_m} or null, "street": {name, distance_m} or
    null}: the nearest address point and the nearest named street within max_m (150 m unless given)."""
    try:
        lat, lon = validate_point(request.GET.get("lat"), request.GET.get("lon"))
    except GeometryError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    try:
        max_m = min(float(request.GET.get("max_m", DEFAULT_NEAREST_M)), MAX_NEAREST_M)
    except ValueError:
        return JsonResponse({"error": _("max_m must be a number of metres.")}, status=400)
    if not max_m > 0:
        return JsonResponse({"error": _("max_m must be a number of metres.")}, status=400)
    limited = _limited(request)
    if limited:
        return _too_many(limited)
    index = current_index()
    found = index.nearest(lat, lon, max_m)
    street = index.nearest_street(lat, lon, max_m)
    street_data = {"name": street[0], "distance_m": round(street[1], 1)} if street else None
    if found is None:
        return JsonResponse({"address": None, "street": street_data})
    return JsonResponse({"address": {"label": found.label, "lat": round(found.lat, 6), "lon": round(found.lon, 6),
                                     "distance_m": round(found.distance_m, 1)}, "street": street_data})


@require_GET
def basemap_geojson(request: HttpRequest) -> HttpResponse:
    """?bbox=w,s,e,n&zoom=z -> streets, parks and places for a map drawn without tiles."""
    try:
        bbox = parse_bbox(request.GET.get("bbox", ""))
        zoom = int(request.GET.get("zoom", "14"))
    except (BadBbox, ValueError):
        return JsonResponse({"error": _("bbox must be west,south,east,north in degrees and zoom a whole number.")},
                            status=400)
    response = HttpResponse(basemap(bbox, zoom), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=300"
    return response
