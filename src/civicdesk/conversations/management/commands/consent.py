"""`civicdesk consent export [--agency SLUG] [--output FILE]` writes every opt-out and opt-in as CSV."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicdesk.agencies.models import Agency
from civicdesk.conversations.consent_export import csv_lines


class Command(BaseCommand):
    help = "Export the SMS opt-out record (STOP, START and staff-confirmed requests) as CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="Every opt-out and opt-in, oldest first, as CSV.")
        export.add_argument("--agency", action="append", default=[], metavar="SLUG",
                            help="Only the numbers of this agency (repeatable); default: every agency.")
        export.add_argument("--output", default="-", help="A file to write; default: standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        agency_ids = None
        if options["agency"]:
            found = dict(Agency.objects.filter(slug__in=options["agency"]).values_list("slug", "pk"))
            missing = sorted(set(options["agency"]) - set(found))
            if missing:
                raise CommandError(f"No agency with the slug {', '.join(missing)}.")
            agency_ids = list(found.values())
        if options["output"] == "-":
            for line in csv_lines(agency_ids):
                self.stdout.write(line, ending="")
            return
        with open(options["output"], "w", encoding="utf-8", newline="") as handle:
            for line in csv_lines(agency_ids):
                handle.write(line)
        self.stderr.write(f"Wrote {options['output']}.")
