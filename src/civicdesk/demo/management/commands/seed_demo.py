"""`civicdesk seed-demo`: load the fictional city of Riverbend into an empty database."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicdesk.demo import data
from civicdesk.demo.actions import seed_demo


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Create the demo city of Riverbend (agencies, services, staff logins, ~2,000 cases) in an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true",
                            help="Seed even though agencies exist: reuse them and add another batch of cases.")
        parser.add_argument("--cases", type=int, default=data.DEMO_CASE_COUNT, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=data.RANDOM_SEED, help="Random seed (fixed by default).")

    def handle(self, *args: Any, force: bool, cases: int, seed: int, **options: Any) -> None:
        if cases < 0:
            self.stderr.write("--cases must be zero or more.")
            return
        summary = seed_demo(force=force, case_count=cases, seed=seed)
        if not summary.seeded:
            self.stdout.write("Agencies already exist: the demo data was not loaded (use --force to add it anyway).")
            return
        counts = summary.cases
        self.stdout.write(self.style.SUCCESS("Riverbend demo city loaded."))
        self.stdout.write(f"  {summary.agencies} agencies, {summary.teams} teams, {summary.services} services, "
                          f"{summary.mailboxes} mailboxes")
        if counts is not None:
            self.stdout.write(f"  {counts.cases} cases, {counts.contacts} contacts, {counts.messages} messages, "
                              f"{counts.audit_entries} audit entries, {counts.transfers} transfers")
        if summary.boundaries:
            self.stdout.write(f"  GIS boundaries: {summary.boundaries}")
        self.stdout.write(f"  Staff logins (password '{data.DEMO_PASSWORD}'): {', '.join(summary.staff)}")
        self.stdout.write("  Sign in at /staff/login/ ; the 311 mailbox is 311@riverbend.example")
