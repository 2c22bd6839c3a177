"""`civicdesk boundaries import FILE --type TYPE --name-field FIELD`, plus `activate`, `list` and `types`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from civicdesk.gis.actions import activate_generation, create_area_type, import_boundaries
from civicdesk.gis.formats.base import BoundaryFileError
from civicdesk.gis.formats.read import read_boundary_file
from civicdesk.gis.models import Area, AreaType, Generation

PROGRESS_THRESHOLD = 200


class Command(BaseCommand):
    help = "Import boundary sets (GeoJSON, Shapefile, GeoPackage) into generations and switch generations on."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Load a boundary file into a new (or given inactive) generation.")
        imp.add_argument("file")
        kind = imp.add_mutually_exclusive_group(required=True)
        kind.add_argument("--type", dest="area_type", metavar="SLUG",
                          help="An area type defined in the admin (`boundaries types` lists them), e.g. ward.")
        kind.add_argument("--create-type", metavar="NAME",
                          help='Define a new area type with this name and import into it, e.g. "Snow-route zone" '
                               "(its slug: snow_route_zone).")
        imp.add_argument("--name-field", required=True)
        imp.add_argument("--code-field", default="")
        imp.add_argument("--generation", type=int, help="An existing inactive generation to add to.")
        imp.add_argument("--crs", default=None, help="Override the file's CRS, e.g. EPSG:2272.")
        imp.add_argument("--description", default="")
        imp.add_argument("--activate", action="store_true", help="Switch the generation on after importing.")
        act = sub.add_parser("activate", help="Switch a generation on.")
        act.add_argument("generation", type=int)
        sub.add_parser("list", help="List generations.")
        sub.add_parser("types", help="List the defined area types (slug, name, jurisdiction).")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "list":
            for generation in Generation.objects.order_by("id"):
                self.stdout.write(f"{generation}  areas={Area.objects.filter(generation_low=generation).count()}")
            return
        if command == "types":
            for area_type in AreaType.objects.all():
                mark = "  (the jurisdiction's boundary)" if area_type.is_jurisdiction else ""
                self.stdout.write(f"{area_type.slug}  {area_type.name}{mark}")
            return
        if command == "activate":
            self._activate(options["generation"])
            return
        self._import(options)

    def _activate(self, generation_id: int) -> None:
        generation = Generation.objects.filter(pk=generation_id).first()
        if generation is None:
            raise CommandError(f"No generation {generation_id}.")
        try:
            activate_generation(generation)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Generation {generation_id} is now active."))

    def _import(self, options: dict[str, Any]) -> None:
        generation = None
        if options["generation"]:
            generation = Generation.objects.filter(pk=options["generation"]).first()
            if generation is None:
                raise CommandError(f"No generation {options['generation']}.")
        try:
            source = read_boundary_file(options["file"])
            total = len(source.features)
            show = total >= PROGRESS_THRESHOLD and options.get("verbosity", 1) > 0

            def progress(items: Any) -> Any:
                return tqdm(items, total=total, desc="Checking", unit="area", disable=not show)

            with transaction.atomic():  # a new type is kept only if its boundaries were imported
                if options.get("create_type"):
                    options["area_type"] = create_area_type(options["create_type"]).slug
                report = import_boundaries(
                    source, area_type=options["area_type"], name_field=options["name_field"],
                    code_field=options["code_field"], generation=generation, description=options["description"],
                    crs_override=options["crs"], progress=progress)
        except BoundaryFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        if options.get("create_type"):
            self.stdout.write(f"Created area type {options['area_type']} ({options['create_type']}).")
        self.stdout.write(self.style.SUCCESS(
            f"Imported {report.created} {options['area_type']} areas into generation {report.generation.pk} "
            f"(inactive until activated)."))
        for name, reason in report.repaired:
            self.stdout.write(self.style.WARNING(f"Repaired invalid polygon '{name}': {reason}"))
        if options["activate"]:
            self._activate(report.generation.pk)
