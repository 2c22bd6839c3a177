"""`civicdesk check-translations`: no unmarked text in resident templates, every resident message translated."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicdesk.web.resident_text import check


class Command(BaseCommand):
    help = ("Fail when a resident-facing template has text outside {% translate %} / {% blocktranslate %}, when a "
            "resident-facing message is untranslated or fuzzy in a catalogue (or missing from it), or when a "
            "compiled .mo is out of date. `make messages` refreshes the catalogues.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-extract", action="store_true",
                            help="Do not run makemessages to look for messages the catalogues lack.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = check(fresh=not options["no_extract"])
        for note in report.notes:
            self.stderr.write(f"Note: {note}")
        for item in report.unmarked:
            self.stderr.write(f"{item}: wrap it in {{% translate %}} or {{% blocktranslate %}}")
        for name, entry in report.untranslated:
            state = "fuzzy" if entry.is_fuzzy else "untranslated"
            self.stderr.write(f"{name}: {state}: {entry.msgid!r} ({', '.join(entry.files())})")
        for name, msgid in report.missing:
            self.stderr.write(f"{name}: not in the catalogue yet: {msgid!r}: run `make messages` and translate it")
        for problem in report.stale:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError("Resident-facing text is not fully translated (see above).")
        self.stdout.write("Resident-facing text: all marked and translated.")
