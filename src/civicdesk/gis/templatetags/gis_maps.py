"""Template tags for maps: the location pin picker and the data attributes every map element needs."""

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from civicdesk.gis.lookup import active_index

register = template.Library()
OSM_ATTRIBUTION = '© OpenStreetMap contributors (openstreetmap.org/copyright)'
FALLBACK_BOUNDS = (-75.06, 39.95, -74.94, 40.05)


def map_bounds() -> tuple[float, float, float, float]:
    index = active_index()
    extent = index.extent() if index else None
    return extent or FALLBACK_BOUNDS


def tile_attribution() -> str:
    if settings.MAP_TILE_ATTRIBUTION:
        return str(settings.MAP_TILE_ATTRIBUTION)
    return OSM_ATTRIBUTION if "openstreetmap" in settings.MAP_TILE_URL else ""


@register.simple_tag
def map_data_attributes() -> str:
    """data-* attributes: tile URL (empty: plain background), attribution, boundary layer URL and bounds; without
    tiles, the places base map (streets, parks, places) and its legend's wording."""
    bounds = ",".join(f"{v:.6f}" for v in map_bounds())
    attributes = format_html('data-tile-url="{}" data-tile-attribution="{}" data-areas-url="{}" data-bounds="{}"',
                             settings.MAP_TILE_URL, tile_attribution(), reverse("gis:areas"), bounds)
    if settings.MAP_TILE_URL:
        return attributes
    from civicdesk.places.legend import basemap_attributes

    return format_html("{} {}", attributes, basemap_attributes())


@register.inclusion_tag("gis/_picker.html")
def location_picker(service: Any = None) -> dict[str, Any]:
    """The map pin picker for a location form with inputs named address, lat and lon."""
    return {"service_code": getattr(service, "code", ""), "nearby_url": reverse("gis:nearby"),
            "search_url": reverse("places:search"), "nearest_url": reverse("places:nearest")}


@register.inclusion_tag("gis/_duplicates.html", takes_context=True)
def likely_duplicates_for(context: Any, case: Any, radius_m: float = 250, days: int = 30) -> dict[str, Any]:
    """The case page's likely duplicates, compact, each with a merge button (with confirmation) for agents who may
    act on the case."""
    from civicdesk.gis.queries import likely_duplicates

    return {"case": case, "duplicates": likely_duplicates(case, radius_m=radius_m, days=days), "radius_m": radius_m,
            "days": days, "csrf_token": context.get("csrf_token"), "can_act": context.get("can_act", False)}


@register.inclusion_tag("gis/_case_location.html")
def case_location_for(case: Any) -> dict[str, Any]:
    """The case page's location panel: a small map of the point (gis/case_map.js) and the routing record."""
    from civicdesk.gis.models import CaseRouting

    routing = CaseRouting.objects.select_related("area", "area__type", "rule", "generation").filter(case=case).first()
    return {"case": case, "routing": routing}
