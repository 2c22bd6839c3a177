"""`civicdesk seed-demo`: load the fictional city of Riverbend into an empty database."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicdesk.demo import data
from civicdesk.demo.actions import seed_demo

BANNER_RULE = "!" * 78


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Create the demo city of Riverbend (agencies, services, staff logins, ~2,000 cases) in an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true",
                            help="Seed even though agencies exist: reuse them and add another batch of cases.")
        parser.add_argument("--cases", type=int, default=data.DEMO_CASE_COUNT, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=data.RANDOM_SEED, help="Random seed (fixed by default).")
        parser.add_argument("--yes-demo-passwords", action="store_true",
                            help=f"Load the demo even with DEBUG off, knowing its staff logins all use the "
                                 f"password '{data.DEMO_PASSWORD}' (`make run` passes this for the quickstart).")

    def handle(self, *args: Any, force: bool, cases: int, seed: int, yes_demo_passwords: bool,
               **options: Any) -> None:
        if cases < 0:
            raise CommandError(_("--cases must be zero or more."))
        if not settings.DEBUG and not yes_demo_passwords:
            raise CommandError(_(
                "Refusing to load the demo city with DEBUG off: its staff logins (admin included) all use the "
                "password '%(password)s'. Pass --yes-demo-passwords if this is a demo or test installation, "
                "and remove them later with `civicdesk remove-demo-staff`.") % {"password": data.DEMO_PASSWORD})
        summary = seed_demo(force=force, case_count=cases, seed=seed)
        if not summary.seeded:
            self.stdout.write(_("Agencies already exist: the demo data was not loaded (use --force to add it "
                                "anyway)."))
            return
        counts = summary.cases
        self.stdout.write(self.style.SUCCESS(_("Riverbend demo city loaded.")))
        self.stdout.write(f"  {summary.agencies} agencies, {summary.teams} teams, {summary.services} services, "
                          f"{summary.mailboxes} mailboxes")
        if counts is not None:
            self.stdout.write(f"  {counts.cases} cases, {counts.contacts} contacts, {counts.messages} messages, "
                              f"{counts.audit_entries} audit entries, {counts.transfers} transfers")
        if summary.boundaries:
            self.stdout.write(f"  GIS boundaries: {summary.boundaries}")
        self.stdout.write(f"  Staff logins (password '{data.DEMO_PASSWORD}'): {', '.join(summary.staff)}")
        self.stdout.write("  Sign in at /staff/login/ ; the 311 mailbox is 311@riverbend.example")
        self.banner(summary.staff)

    def banner(self, staff: list[str]) -> None:
        """The loud part: demo logins with a published password now exist."""
        lines = [
            _("DEMO DATA LOADED: %(count)d staff accounts with the password '%(password)s', including the "
              "administrator 'admin'.") % {"count": len(staff), "password": data.DEMO_PASSWORD},
            _("Anyone who can reach this server can sign in with them. Before real use, remove them with:"),
            "    civicdesk remove-demo-staff",
        ]
        self.stdout.write(self.style.WARNING("\n".join([BANNER_RULE, *lines, BANNER_RULE])))
        self.stderr.write(self.style.WARNING(lines[0]))
