"""`civicdesk token create USERNAME [--name NAME]` prints a new personal API token; `token revoke PREFIX` ends one."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civicdesk.api.actions import create_token, revoke_token
from civicdesk.api.models import ApiToken


class Command(BaseCommand):
    help = "Create or revoke personal API tokens for the REST API (Authorization: Bearer <token>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="Print a new token for USERNAME (shown once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        revoke = verbs.add_parser("revoke", help="Revoke the token whose first characters are PREFIX.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "create":
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user named {options['username']!r}.")
            try:
                issued = create_token(user, name=options["name"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(issued.raw)
            return
        matches = list(ApiToken.objects.filter(prefix__startswith=options["prefix"], revoked_at__isnull=True)[:2])
        if len(matches) != 1:
            raise CommandError(f"{len(matches) or 'No'} live tokens start with {options['prefix']!r}; give more.")
        revoke_token(matches[0])
        self.stdout.write(f"Revoked {matches[0]}.")
