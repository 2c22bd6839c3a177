"""`civicdesk open311-check URL [--jurisdiction J] [--api-key K]`: the spec's checklist against an endpoint."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicdesk.open311.checker import Checker


class Command(BaseCommand):
    help = "Check a GeoReport v2 endpoint against the conformance checklist; exit 1 when a rule fails."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="Base URL, e.g. http://127.0.0.1:8000/open311/v2/")
        parser.add_argument("--jurisdiction", default="")
        parser.add_argument("--api-key", default="", help="Also check POST (creates one request on the endpoint).")

    def handle(self, *args: Any, url: str, jurisdiction: str, api_key: str, **options: Any) -> None:
        failed = skipped = 0
        for result in Checker(url, jurisdiction=jurisdiction, api_key=api_key).run():
            failed += not result.ok
            skipped += result.skipped
            self.stdout.write(f"{result.verdict} {result.rule}" + (f": {result.detail}" if result.detail else ""))
        self.stdout.write(f"{failed} rule(s) failed." if failed else
                          f"All rules passed ({skipped} skipped)." if skipped else "All rules passed.")
        if failed:
            raise SystemExit(1)
