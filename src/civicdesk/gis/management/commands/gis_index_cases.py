"""`civicdesk gis-index-cases`: (re)build CaseLocation rows for existing cases, e.g. after a bulk load."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from civicdesk.gis.case_locations import rebuild_case_locations
from civicdesk.gis.models import CaseLocation


class Command(BaseCommand):
    help = "Rebuild the spatial copy of located cases used by nearby searches, maps and hotspots."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild_case_locations()
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(f"ANALYZE {CaseLocation._meta.db_table}")
            else:
                cursor.execute(f"VACUUM ANALYZE {CaseLocation._meta.db_table}")  # index-only scans need VACUUM
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} located cases."))
