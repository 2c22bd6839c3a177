"""`civicdesk opendata export [--day YYYY-MM-DD]` and `civicdesk opendata list`."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicdesk.opendata.actions import export_dir, forget_old_exports, write_export
from civicdesk.opendata.models import Export


class Command(BaseCommand):
    help = "Write the open data export of service requests (CSV and GeoJSON), or list the exports kept."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="Export every request now (replacing that day's export).")
        export.add_argument("--day", help="The day to file it under (default: today in the city's time zone).")
        sub.add_parser("list", help="List the exports kept.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for export in Export.objects.all():
                self.stdout.write(f"{export.day}  {export.rows} requests  {export_dir(export.day)}")
            return
        try:
            day = date.fromisoformat(options["day"]) if options.get("day") else None
        except ValueError as exc:
            raise CommandError("--day must be a date like 2026-12-06.") from exc
        result = write_export(day)
        forget_old_exports()
        self.stdout.write(f"Exported {result.export.rows} requests to {export_dir(result.export.day)}")
