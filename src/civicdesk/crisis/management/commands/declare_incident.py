"""`civicdesk declare-incident`: declare an incident (its banner shows on every portal page), or end one."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicdesk.crisis import actions, queries
from civicdesk.crisis.models import Incident


class Command(BaseCommand):
    help = "Declare an incident from the command line (title and summary in English and Spanish), or --end SLUG."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--title-en", default="")
        parser.add_argument("--title-es", default="")
        parser.add_argument("--summary-en", default="")
        parser.add_argument("--summary-es", default="")
        parser.add_argument("--area", action="append", default=[],
                            help="An affected area's name, e.g. \"Ward 3\" (repeat it); none: the whole city.")
        parser.add_argument("--end", metavar="SLUG", default="", help="End the incident with this slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["end"]:
            incident = Incident.objects.filter(slug=options["end"]).first()
            if incident is None:
                raise CommandError(f"No incident {options['end']!r}.")
            actions.end(incident)
            self.stdout.write(f"Ended {incident.slug}.")
            return
        texts = [options[k].strip() for k in ("title_en", "title_es", "summary_en", "summary_es")]
        if not all(texts):
            raise CommandError("Give --title-en, --title-es, --summary-en and --summary-es.")
        areas = []
        for name in options["area"]:
            found = queries.subscribable_areas().filter(name__iexact=name).first()
            if found is None:
                raise CommandError(f"No area named {name!r}.")
            areas.append(found)
        incident = actions.declare(title_en=texts[0], title_es=texts[1], summary_en=texts[2], summary_es=texts[3],
                                   areas=areas, whole_city=not areas)
        self.stdout.write(f"Declared {incident.slug}: /incidents/{incident.slug}/")
