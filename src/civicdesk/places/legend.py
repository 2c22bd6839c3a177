"""The base map's data attributes: its URL (with the data version, so browsers may cache it) and the legend's words."""

import json

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from civicdesk.places.search import data_version


def legend_entries() -> list[dict[str, str]]:
    """What each line and colour on a map drawn without tiles means; `key` matches a CSS class in gis.css."""
    return [
        {"key": "primary", "shape": "line", "label": _("Main road")},
        {"key": "secondary", "shape": "line", "label": _("Secondary road")},
        {"key": "residential", "shape": "line", "label": _("Street")},
        {"key": "path", "shape": "line", "label": _("Path or lane")},
        {"key": "park", "shape": "area", "label": _("Park")},
        {"key": "water", "shape": "area", "label": _("River or lake")},
        {"key": "building", "shape": "area", "label": _("School, library or civic building")},
        {"key": "place", "shape": "dot", "label": _("Named place")},
        {"key": "city", "shape": "line", "label": _("City boundary")},
        {"key": "zone", "shape": "line", "label": _("Ward or zone boundary")},
    ]


def basemap_attributes() -> str:
    url = f"{reverse('places:basemap')}?v={data_version()}"
    legend = {"title": _("Map key"), "entries": legend_entries()}
    return format_html('data-basemap-url="{}" data-basemap-legend="{}"', url, json.dumps(legend))
