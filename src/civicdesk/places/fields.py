"""Which source column holds what (auto-detected from common names, or named by the user) and value clean-ups."""

import re
from typing import Any

from django.utils.translation import gettext as _

from civicdesk.places.formats.base import PlacesFileError
from civicdesk.places.models import PlaceKind, StreetClass

CANDIDATES: dict[str, tuple[str, ...]] = {
    "number": ("number", "house_number", "housenumber", "addr:housenumber", "addr_housenumber", "addnum", "add_number",
               "addr_num", "address_number", "st_num", "street_number", "hse_num", "civic_num", "num"),
    "street": ("street", "street_name", "streetname", "addr:street", "addr_street", "st_name", "full_street",
               "fullname", "road", "stname", "str_name"),
    "unit": ("unit", "addr:unit", "addr_unit", "apt", "apartment", "suite", "unit_number"),
    "postcode": ("postcode", "postal_code", "postalcode", "addr:postcode", "addr_postcode", "zip", "zipcode",
                 "zip_code"),
    "label": ("full_address", "fulladdress", "fulladdr", "address", "label", "full_addr", "site_addr"),
    "name": ("name", "street_name", "streetname", "fullname", "full_name", "st_name", "label", "title"),
    "class": ("class", "street_class", "road_class", "highway", "fclass", "func_class", "functional_class",
              "roadtype", "road_type", "type"),
    "kind": ("kind", "type", "category", "amenity", "leisure", "feature_type", "fclass"),
    "id": ("id", "source_id", "objectid", "fid", "gid", "osm_id", "globalid"),
}
NEEDED = {"addresses": ["street|label"], "streets": [], "places": ["name"]}

STREET_CLASSES = {
    "motorway": StreetClass.MOTORWAY, "trunk": StreetClass.PRIMARY, "freeway": StreetClass.MOTORWAY,
    "interstate": StreetClass.MOTORWAY, "highway": StreetClass.PRIMARY, "primary": StreetClass.PRIMARY,
    "arterial": StreetClass.PRIMARY, "major": StreetClass.PRIMARY, "main": StreetClass.PRIMARY,
    "secondary": StreetClass.SECONDARY, "tertiary": StreetClass.SECONDARY, "collector": StreetClass.SECONDARY,
    "minor": StreetClass.RESIDENTIAL, "residential": StreetClass.RESIDENTIAL, "local": StreetClass.RESIDENTIAL,
    "unclassified": StreetClass.RESIDENTIAL, "living_street": StreetClass.RESIDENTIAL, "service": StreetClass.SERVICE,
    "alley": StreetClass.SERVICE, "lane": StreetClass.SERVICE, "track": StreetClass.SERVICE, "path": StreetClass.PATH,
    "footway": StreetClass.PATH, "cycleway": StreetClass.PATH, "pedestrian": StreetClass.PATH,
    "trail": StreetClass.PATH, "steps": StreetClass.PATH, "bridleway": StreetClass.PATH,
}
PLACE_KINDS = {
    "park": PlaceKind.PARK, "garden": PlaceKind.PARK, "playground": PlaceKind.PARK, "recreation_ground": PlaceKind.PARK,
    "school": PlaceKind.SCHOOL, "college": PlaceKind.SCHOOL, "university": PlaceKind.SCHOOL,
    "kindergarten": PlaceKind.SCHOOL, "library": PlaceKind.LIBRARY, "townhall": PlaceKind.CIVIC,
    "town_hall": PlaceKind.CIVIC, "city_hall": PlaceKind.CIVIC, "civic": PlaceKind.CIVIC,
    "fire_station": PlaceKind.CIVIC, "police": PlaceKind.CIVIC, "community_centre": PlaceKind.CIVIC,
    "landmark": PlaceKind.LANDMARK, "monument": PlaceKind.LANDMARK, "attraction": PlaceKind.LANDMARK,
    "water": PlaceKind.WATER, "river": PlaceKind.WATER, "lake": PlaceKind.WATER,
}
LEADING_NUMBER = re.compile(r"^\s*(\d+[A-Za-z]?(?:-\d+[A-Za-z]?)?)\s+(.+)$")


def resolve_columns(layer: str, fields: list[str], overrides: dict[str, str]) -> dict[str, str]:
    """Role -> source column for the layer; a clear error names what is missing and the columns found."""
    lowered = {f.strip().lower(): f for f in fields}
    chosen: dict[str, str] = {}
    for role, column in overrides.items():
        if role not in CANDIDATES:
            raise PlacesFileError(_("Unknown field role '%(role)s'; use one of: %(roles)s.")
                                  % {"role": role, "roles": ", ".join(CANDIDATES)})
        if column.strip().lower() not in lowered:
            raise PlacesFileError(_("The file has no column '%(column)s'. Its columns are: %(found)s.")
                                  % {"column": column, "found": ", ".join(fields) or "none"})
        chosen[role] = lowered[column.strip().lower()]
    for role, names in CANDIDATES.items():
        if role not in chosen:
            found = next((lowered[n] for n in names if n in lowered and lowered[n] not in chosen.values()), None)
            if found:
                chosen[role] = found
    for need in NEEDED[layer]:
        if not any(option in chosen for option in need.split("|")):
            wanted = " or ".join(f"{option} ({', '.join(CANDIDATES[option][:5])}, ...)" for option in need.split("|"))
            raise PlacesFileError(
                _("No column for the %(wanted)s. Name it with --field ROLE=COLUMN. The columns found are: %(found)s.")
                % {"wanted": wanted, "found": ", ".join(fields) or "none"})
    return chosen


def text(properties: dict[str, Any], column: str | None) -> str:
    if not column:
        return ""
    value = properties.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def street_class(value: str) -> str:
    key = value.strip().lower().replace(" ", "_").removesuffix("_link")
    return STREET_CLASSES.get(key, StreetClass.RESIDENTIAL)


def place_kind(value: str) -> str:
    return PLACE_KINDS.get(value.strip().lower().replace(" ", "_"), PlaceKind.OTHER)


def split_address(label: str) -> tuple[str, str]:
    """'100 Main St' -> ('100', 'Main St'); a label without a leading number is all street."""
    match = LEADING_NUMBER.match(label)
    return (match.group(1), match.group(2)) if match else ("", label)
