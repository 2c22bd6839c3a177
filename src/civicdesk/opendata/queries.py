"""Read-only: the export's rows, read in chunks, with nothing a resident did not choose to make public."""

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import OuterRef, Subquery

from civicdesk.cases.models import Case
from civicdesk.gis.index import NO_AREA
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area
from civicdesk.open311.queries import open311_status, public_updates
from civicdesk.opendata.models import Export
from civicdesk.opendata.schema import GRID_DEGREES

CHUNK = 2000
VALUES = ("id", "public_id", "service__code", "service__name", "agency__name", "channel", "status", "created_at",
          "updated_at", "resolved_at", "closed_at", "lat", "lon", "description", "service__publish_description",
          "latest_note", "merged_into__public_id")


def approximate(value: float | None) -> float | None:
    """A coordinate snapped to the centre of its grid square of about 100 m (the same for every export)."""
    if value is None or not math.isfinite(value):
        return None
    return round(math.floor(value / GRID_DEGREES + 0.5) * GRID_DEGREES, 6)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else ""


def _areas(chunk: list[tuple[Any, ...]]) -> list[str]:
    """The name of the area of the configured type (a ward) each located row falls in."""
    names = [""] * len(chunk)
    index = active_index(verify=False)
    type_index = index.types.get(settings.OPEN_DATA_AREA_TYPE) if index else None
    located = [i for i, row in enumerate(chunk) if row[11] is not None and row[12] is not None]
    if type_index is None or not located:
        return names
    found = type_index.lookup_many(np.array([chunk[i][12] for i in located]), np.array([chunk[i][11] for i in located]))
    wanted = {int(a) for a in found if a != NO_AREA}
    area_names = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    for i, area_id in zip(located, found.tolist(), strict=True):
        names[i] = area_names.get(area_id, "")
    return names


def export_rows() -> Iterator[dict[str, Any]]:
    """Every service request (a case with a service), oldest first, as the schema's columns."""
    latest_note = public_updates(OuterRef("pk")).order_by("-created_at", "-id").values("visible_text")[:1]
    cases = (Case.objects.filter(service__isnull=False, public_id__isnull=False)
             .annotate(latest_note=Subquery(latest_note)).order_by("id").values_list(*VALUES))
    last_id = 0
    while True:
        chunk = list(cases.filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            return
        last_id = chunk[-1][0]
        for row, area in zip(chunk, _areas(chunk), strict=True):
            (_, public_id, code, name, agency, channel, status, created, updated, resolved, closed, lat, lon,
             description, publish, note, duplicate_of) = row
            finished = open311_status(status) == "closed"
            yield {"service_request_id": public_id, "service_code": code, "service_name": name, "agency": agency,
                   "channel": channel, "status": open311_status(status), "status_detail": status,
                   "requested_datetime": _iso(created), "updated_datetime": _iso(updated),
                   "closed_datetime": _iso(closed or resolved) if finished else "", "area": area,
                   "lat": approximate(lat), "long": approximate(lon),
                   "description": description[:4000] if publish else "", "status_notes": note or "",
                   "duplicate_of": duplicate_of or ""}


def exports() -> list[Export]:
    return list(Export.objects.all()[:settings.OPEN_DATA_KEEP_DAYS])


def latest_export() -> Export | None:
    return Export.objects.first()
