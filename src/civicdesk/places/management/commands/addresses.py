"""`civicdesk addresses import FILE [--layer addresses|streets|places] [--replace]`, plus `list`."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from civicdesk.places.actions import LAYERS, import_places
from civicdesk.places.formats.base import PlacesFileError
from civicdesk.places.formats.readers import read_places_file
from civicdesk.places.models import AddressPoint, Place, Street

PROGRESS_THRESHOLD = 200


class Command(BaseCommand):
    help = "Import address points, street centrelines or named places (GeoJSON, Shapefile, GeoPackage, CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Load a file into one layer (addresses by default).")
        imp.add_argument("file")
        imp.add_argument("--layer", choices=LAYERS, default="addresses")
        imp.add_argument("--replace", action="store_true", help="Delete the layer's existing rows first.")
        imp.add_argument("--crs", default=None, help="Override the file's CRS, e.g. EPSG:2272.")
        imp.add_argument("--table", default=None, help="The GeoPackage feature table, when it has several.")
        imp.add_argument("--field", action="append", default=[], metavar="ROLE=COLUMN",
                         help="Name the column for a role (number, street, unit, postcode, label, name, class, kind).")
        sub.add_parser("list", help="Count what is loaded.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            self.stdout.write(f"addresses={AddressPoint.objects.count()} streets={Street.objects.count()} "
                              f"places={Place.objects.count()}")
            return
        fields = {}
        for item in options["field"]:
            role, sep, column = item.partition("=")
            if not sep or not column:
                raise CommandError(f"--field takes ROLE=COLUMN, not '{item}'.")
            fields[role.strip()] = column.strip()
        try:
            source = read_places_file(options["file"], table=options["table"])
            show = (source.total or 0) >= PROGRESS_THRESHOLD and options.get("verbosity", 1) > 0
            with tqdm(total=source.total, desc=f"Importing {options['layer']}", unit=" rows", disable=not show,
                      file=sys.stderr) as bar:
                report = import_places(source, layer=options["layer"], replace=options["replace"], fields=fields,
                                       crs_override=options["crs"], progress=bar.update)
        except PlacesFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        replaced = f", replacing {report.replaced}" if options["replace"] else ""
        self.stdout.write(self.style.SUCCESS(
            f"Imported {report.created} {options['layer']} from {report.crs}{replaced}; {report.bad} rows skipped."))
        for problem in report.problems:
            self.stdout.write(self.style.WARNING(f"Skipped {problem}"))
        if report.bad > len(report.problems):
            self.stdout.write(self.style.WARNING(f"... and {report.bad - len(report.problems)} more skipped rows."))
