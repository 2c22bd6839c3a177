"""Writing the day's export: both files written whole beside the old ones, then swapped in, then recorded."""

import csv
import fcntl
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicdesk.opendata.models import Export
from civicdesk.opendata.queries import export_rows
from civicdesk.opendata.schema import COLUMNS

FILE_NAMES = {"csv": "requests.csv", "geojson": "requests.geojson"}
# Free text a spreadsheet would run as a formula if it began with one of these (OWASP's CSV injection advice).
FREE_TEXT = ("service_name", "agency", "description", "status_notes", "area")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportResult:
    export: Export
    created: bool


def export_dir(day: date) -> Path:
    return Path(settings.OPEN_DATA_DIR) / day.isoformat()


def _csv_value(name: str, value: Any) -> Any:
    if name in FREE_TEXT and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _feature(row: dict[str, Any]) -> str:
    lat, lon = row["lat"], row["long"]
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    return json.dumps({"type": "Feature", "id": row["service_request_id"], "geometry": geometry,
                       "properties": row}, ensure_ascii=False, separators=(",", ":"))


def _write(csv_file: TextIO, geojson_file: TextIO) -> int:
    writer = csv.writer(csv_file)
    writer.writerow(COLUMNS)
    geojson_file.write('{"type":"FeatureCollection","features":[\n')
    count = 0
    for row in export_rows():
        writer.writerow([_csv_value(name, row[name]) for name in COLUMNS])
        geojson_file.write((",\n" if count else "") + _feature(row))
        count += 1
    geojson_file.write("\n]}\n")
    return count


def _swap_in(scratch: Path, target: Path) -> None:
    """Replace `target` with `scratch`. A lock beside them keeps two processes exporting the same day at the same
    moment from removing each other's folder mid-swap; the later swap wins, whole."""
    with open(target.parent / ".swap.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if target.exists():
                shutil.rmtree(target)
            scratch.rename(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_export(day: date | None = None) -> ExportResult:
    """Export every request as it stands now under `day` (today in the city's time zone by default). Files are
    written into a fresh folder and moved into place whole, so a download never sees half a file."""
    day = day or timezone.localdate()
    base = Path(settings.OPEN_DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{day.isoformat()}-", dir=base))
    try:
        with (open(scratch / FILE_NAMES["csv"], "w", encoding="utf-8", newline="") as csv_file,
              open(scratch / FILE_NAMES["geojson"], "w", encoding="utf-8") as geojson_file):
            rows = _write(csv_file, geojson_file)
        target = export_dir(day)
        _swap_in(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with transaction.atomic():
        export, created = Export.objects.update_or_create(day=day, defaults={
            "generated_at": timezone.now(), "rows": rows,
            "csv_bytes": (target / FILE_NAMES["csv"]).stat().st_size,
            "geojson_bytes": (target / FILE_NAMES["geojson"]).stat().st_size})
    return ExportResult(export, created)


def forget_old_exports(today: date | None = None) -> int:
    """Keep OPEN_DATA_KEEP_DAYS days of exports: older rows and their folders go."""
    cutoff = (today or timezone.localdate()) - timedelta(days=settings.OPEN_DATA_KEEP_DAYS)
    old = list(Export.objects.filter(day__lt=cutoff).values_list("day", flat=True))
    for day in old:
        shutil.rmtree(export_dir(day), ignore_errors=True)
    with transaction.atomic():
        Export.objects.filter(day__in=old).delete()
    return len(old)
