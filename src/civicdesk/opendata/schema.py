"""The open data schema: every column of the export, its type and its meaning (the CSV header, the GeoJSON
properties, the documentation page and schema.json all read this list, so they cannot disagree)."""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# About 100 m: 0.001 degrees is 111 m north-south and about 85 m east-west at 40 degrees north.
GRID_DEGREES = 0.001
APPROXIMATE_METRES = 100


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, datetime, number
    description: Promise


FIELDS: tuple[Field, ...] = (
    Field("service_request_id", "string", _("The request's public id, the same as in the Open311 API.")),
    Field("service_code", "string", _("The code of the service requested.")),
    Field("service_name", "string", _("The name of the service requested.")),
    Field("agency", "string", _("The agency responsible for the request.")),
    Field("channel", "string", _("How the request arrived: web, email, sms, phone, chat, open311 or a social "
                                 "network.")),
    Field("status", "string", _("open or closed, as in Open311.")),
    Field("status_detail", "string", _("new, open, in_progress, waiting, resolved or closed.")),
    Field("requested_datetime", "datetime", _("When the request was made (ISO 8601, UTC).")),
    Field("updated_datetime", "datetime", _("When the request last changed (ISO 8601, UTC).")),
    Field("closed_datetime", "datetime", _("When the request was resolved or closed (ISO 8601, UTC); empty while "
                                           "it is open.")),
    Field("area", "string", _("The area (ward) the location falls in; empty without a location.")),
    Field("lat", "number", _("Latitude rounded to a grid of about 100 metres (WGS 84); never the exact point.")),
    Field("long", "number", _("Longitude rounded to a grid of about 100 metres (WGS 84); never the exact point.")),
    Field("description", "string", _("The resident's description, only for services whose descriptions staff "
                                     "chose to publish; otherwise empty.")),
    Field("status_notes", "string", _("The latest update staff published on the request; empty if none.")),
    Field("duplicate_of", "string", _("The public id of the request this one was merged into, if any.")),
)
COLUMNS = tuple(field.name for field in FIELDS)


def table_schema() -> dict[str, Any]:
    """The schema as a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)."""
    return {"fields": [{"name": f.name, "type": f.type, "description": str(f.description)} for f in FIELDS],
            "primaryKey": "service_request_id", "missingValues": [""]}
