"""Writes that keep CaseLocation (the spatial copy of located cases) in step with the cases table."""

from collections.abc import Iterable

from django.db import connection, transaction

from civicdesk.cases.events import CaseChanged
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.gis.cells import CELL_DEGREES, ROW, cell_of
from civicdesk.gis.models import CaseLocation

LOCATION_FIELDS = {"status", "agency", "service", "lat", "lon", "merged_into"}


def sync_case_location(case: Case, changes: Iterable[str] | None = None, *, new: bool = False) -> None:
    """Keep the case's CaseLocation row in step (on_case_changed; also run on creation, with
    `new`: a case created just now has no row to delete or update, so it is one INSERT)."""
    if changes is not None and not LOCATION_FIELDS & set(changes):
        return
    if case.lat is None or case.lon is None or case.merged_into_id is not None:
        if not new:
            CaseLocation.objects.filter(case_id=case.pk).delete()
        return
    values = {"service_id": case.service_id, "agency_id": case.agency_id, "status": case.status,
              "is_open": case.status not in CaseStatus.finished(), "created_at": case.created_at, "lat": case.lat,
              "lon": case.lon, "cell": cell_of(case.lat, case.lon)}
    if new:
        CaseLocation.objects.create(case_id=case.pk, **values)
    else:
        CaseLocation.objects.update_or_create(case_id=case.pk, defaults=values)


def on_case_changed(event: CaseChanged) -> None:
    """Subscriber of CaseChanged (see gis/apps.py): a change to a located field moves the CaseLocation row."""
    sync_case_location(event.case, event.fields)


def rebuild_case_locations() -> int:
    """Replace every CaseLocation row in one statement (FLOOR on PostgreSQL; CAST truncates the positive values
    on SQLite, which is the same)."""
    floor = "FLOOR" if connection.vendor == "postgresql" else "CAST"
    suffix = "" if connection.vendor == "postgresql" else " AS INTEGER"
    row = f"{floor}((c.lat + 90) / {CELL_DEGREES}{suffix})"
    column = f"{floor}((c.lon + 180) / {CELL_DEGREES}{suffix})"
    finished = ", ".join(f"'{s}'" for s in CaseStatus.finished())
    table = CaseLocation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (case_id, service_id, agency_id, status, is_open, created_at, lat, lon, cell) "
            f"SELECT c.id, c.service_id, c.agency_id, c.status, c.status NOT IN ({finished}), c.created_at, c.lat, "
            f"c.lon, {row} * {ROW} + {column} FROM cases_case c "
            f"WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL AND c.merged_into_id IS NULL")
        return cursor.rowcount
