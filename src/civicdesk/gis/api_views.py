"""The public, read-only area lookup API (like MapIt): GET /api/areas?lat=&lon= and POST /api/areas/lookup."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from civicdesk.gis.geometry import GeometryError, validate_point
from civicdesk.gis.index import AreaIndex
from civicdesk.gis.lookup import active_index, build_index
from civicdesk.gis.models import Generation
from civicdesk.gis.queries import describe_areas
from civicdesk.gis.routing import assess_point
from civicdesk.web import safejson
from civicdesk.web.params import BadParameter, bounded_int

MAX_POINTS = 10000
MAX_DEPTH = 8  # {"points": [{"lat": .., "lon": ..}]} needs 3
MAX_BODY_BYTES = 2_000_000  # 10,000 points with room to spare


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _index_for(request: HttpRequest, data: dict[str, Any]) -> AreaIndex | JsonResponse | None:
    generation = data.get("generation") or request.GET.get("generation")
    if not generation:
        return active_index()
    try:
        generation_id = bounded_int(str(generation), "generation")
    except BadParameter as exc:
        return _error(str(exc))
    if not Generation.objects.filter(pk=generation_id).exists():
        return _error(f"No generation {generation_id}.", 404)
    return build_index(generation_id)


def _lookup(index: AreaIndex, lat: Any, lon: Any, area_type: str) -> dict[str, Any]:
    try:
        lat_f, lon_f = validate_point(lat, lon)
    except GeometryError as exc:
        return {"lat": lat, "lon": lon, "error": str(exc)}
    decision = assess_point(index, lat_f, lon_f)
    ids = [i for t, found in decision.areas.items() if not area_type or t == area_type for i in found]
    result: dict[str, Any] = {"lat": lat_f, "lon": lon_f, "area_ids": ids}
    if decision.flagged:
        result["questioned"] = decision.problem
    return result


def _finish(results: list[dict[str, Any]], index: AreaIndex | None) -> None:
    described = describe_areas([i for r in results for i in r.get("area_ids", [])])
    for result in results:
        result["areas"] = [described[i] for i in result.pop("area_ids", []) if i in described]


@require_GET
def areas_at_point(request: HttpRequest) -> JsonResponse:
    """Areas covering one point, from the active generation (or ?generation=N), optionally ?type=ward."""
    if "lat" not in request.GET or "lon" not in request.GET:
        return _error("Give lat and lon, e.g. /api/areas?lat=40.0&lon=-75.0")
    index = _index_for(request, {})
    if isinstance(index, JsonResponse):
        return index
    if index is None:
        return JsonResponse({"generation": None, "areas": [], "note": "No boundaries are active."})
    result = _lookup(index, request.GET["lat"], request.GET["lon"], request.GET.get("type", ""))
    if "error" in result:
        return _error(result["error"])
    _finish([result], index)
    return JsonResponse({"generation": index.generation_id, **result})


@csrf_exempt
@require_POST
def areas_lookup_many(request: HttpRequest) -> JsonResponse:
    """Many points at once: {"points": [{"lat": .., "lon": ..}, ...], "type": optional, "generation": optional}."""
    if len(request.body) > MAX_BODY_BYTES:
        return _error(_("The body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES}, 413)
    try:
        data = safejson.loads(request.body or b"{}", max_depth=MAX_DEPTH)
    except safejson.JsonTooComplex as exc:
        return _error(str(exc))
    except ValueError:
        return _error(_("The body must be JSON."))
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, list):
        return _error('Send {"points": [{"lat": 40.0, "lon": -75.0}, ...]}.')
    if len(points) > MAX_POINTS:
        return _error(f"At most {MAX_POINTS} points per request.", 413)
    index = _index_for(request, data)
    if isinstance(index, JsonResponse):
        return index
    if index is None:
        return JsonResponse({"generation": None, "results": [], "note": "No boundaries are active."})
    area_type = str(data.get("type") or "")
    results = []
    for point in points:
        if not isinstance(point, dict):
            results.append({"error": "Each point must be an object with lat and lon."})
            continue
        results.append(_lookup(index, point.get("lat"), point.get("lon"), area_type))
    _finish(results, index)
    return JsonResponse({"generation": index.generation_id, "results": results})
