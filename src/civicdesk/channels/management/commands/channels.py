"""`civicdesk channels add PROVIDER|list|urls|disable|enable|remove|simulate|listen`: connect accounts to agencies,
see each one's health (last inbound, last error, refused requests, limits) and the addresses to give the provider."""

import json
import signal
import threading
from argparse import ArgumentParser
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from civicdesk.agencies.models import Agency
from civicdesk.channels import actions, limits, queries, spool
from civicdesk.channels.listening import listen_forever
from civicdesk.channels.models import ChannelAccount, Provider
from civicdesk.channels.queries import AccountHealth
from civicdesk.channels.simulate import KINDS, simulate

CONSOLE_LABELS = {  # Twilio console's own words for each address
    "sms": "A message comes in (Webhook, HTTP POST)",
    "status": "Delivery status callback",
    "voice": "A call comes in (Webhook, HTTP POST)",
    "webhook": "Webhook",
}


def when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M} ({timesince(moment)} ago)"


class Command(BaseCommand):
    help = ("Connect channel accounts (Twilio numbers) to agencies, list every account with its health, disable, "
            "enable or remove one.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="Connect an account: `add twilio --agency SLUG --number +1...`.")
        providers = add.add_subparsers(dest="provider", required=True)
        for provider, path in settings.CHANNEL_CONNECTORS.items():
            connector = import_module(path)
            sub = providers.add_parser(provider, help=connector.HELP)
            sub.add_argument("--agency", required=True, help="The agency's slug (see the admin's agency list).")
            sub.add_argument("--name", default="", help="A display name for staff, e.g. 'Public Works line'.")
            connector.add_arguments(sub)
        simulate = verbs.add_parser("simulate", help="Send one event as the network would (signed, through the same "
                                                     "entry point): `simulate sms --account 3 --text 'Pothole'`.")
        simulate.add_argument("network", help="The account's channel (sms, facebook, mastodon, ...) or provider.")
        simulate.add_argument("--account", required=True, help="The account's id or address.")
        simulate.add_argument("--text", required=True, help="What the resident writes.")
        simulate.add_argument("--kind", default="message", choices=KINDS,
                              help="A direct message (default), a public mention, or a comment on our post.")
        verbs.add_parser("listen", help="Hold the streams of streaming accounts (Mastodon); `civicdesk run` starts it.")
        listing = verbs.add_parser("list", help="Every account (every provider) and its health.")
        listing.add_argument("--agency", default="", help="Only this agency's accounts (its slug).")
        listing.add_argument("--provider", default="", choices=["", *Provider.values], help="Only this provider's.")
        listing.add_argument("--json", action="store_true", help="One JSON document, for scripts.")
        for verb, text in (("urls", "Print the webhook addresses of an account again."),
                           ("disable", "Stop an account: its webhooks answer 404 until it is enabled again."),
                           ("enable", "Start a disabled account again."),
                           ("remove", "Delete an account that never carried a conversation.")):
            verbs.add_parser(verb, help=text).add_argument("account", help="The account's id or address (number).")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "add":
            self.add_account(options)
        elif verb == "simulate":
            self.simulate(options)
        elif verb == "listen":
            self.listen()
        elif verb == "list":
            self.show_list(options)
        else:
            account = queries.find_account(options["account"])
            if account is None:
                raise CommandError(f"No channel account has the id or address {options['account']!r}; "
                                   "`civicdesk channels list` shows them.")
            getattr(self, verb)(account)

    def add_account(self, options: dict[str, Any]) -> None:
        connector = import_module(settings.CHANNEL_CONNECTORS[options["provider"]])
        agency = Agency.objects.filter(slug=options["agency"].strip()).first()
        if agency is None:
            slugs = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True)[:30])
            raise CommandError(f"No agency has the slug {options['agency']!r}. Agencies: {slugs or 'none yet'}.")
        try:
            account = connector.connect(agency, options)
        except actions.AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Connected {account.address or account} to {agency.name} "
                                             f"(account {account.pk})."))
        note = connector.after_connect(account)
        if note:
            self.stdout.write(note)
        self.urls(account, connected=True)

    def simulate(self, options: dict[str, Any]) -> None:
        account = queries.find_account(options["account"])
        if account is None or options["network"] not in (account.channel, account.provider):
            raise CommandError(f"No {options['network']} account has the id or address {options['account']!r}; "
                               "`civicdesk channels list` shows them.")
        try:
            outcome = simulate(account, options["text"], options["kind"])
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if outcome.status >= 400:
            raise CommandError(f"The webhook refused the simulated event with {outcome.status}.")
        self.stdout.write(self.style.SUCCESS(
            f"Sent a simulated {options['kind']} to {account.address or account}: "
            + ("stored, and queued for processing." if outcome.stored else "a repeat; nothing new was stored.")))

    def listen(self) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("Holding the streams of streaming accounts (Ctrl-C stops).")
        listen_forever(stop)

    def urls(self, account: ChannelAccount, connected: bool = False) -> None:
        if not connected:
            self.stdout.write(f"Account {account.pk}: {account.address or account} ({account.agency.name})")
        addresses = queries.console_urls(account)
        if not addresses:
            self.stdout.write("This account has no webhook: it is polled, or receives through its own entry (email: "
                              "the SMTP listener or IMAP).")
            return
        self.stdout.write("Paste these into Twilio's console, under Phone Numbers > Active numbers > "
                          f"{account.address}:" if account.provider == Provider.TWILIO
                          else "Give this address to the provider:")
        for key, url in addresses.items():
            self.stdout.write(f"  {CONSOLE_LABELS.get(key, key) + ':':<42} {url}")
        if not settings.SITE_URL.startswith("https://"):
            self.stderr.write(self.style.WARNING(
                f"SITE_URL is {settings.SITE_URL}: the provider can only reach a public https address, and it signs "
                "the address it calls. Set SITE_URL to the site's public address (.env.example)."))

    def show_list(self, options: dict[str, Any]) -> None:
        agency_ids = None
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"].strip()).first()
            if agency is None:
                raise CommandError(f"No agency has the slug {options['agency']!r}.")
            agency_ids = [agency.pk]
        rows = queries.health(queries.accounts(agency_ids, options["provider"]))
        if options["json"]:
            self.stdout.write(json.dumps([self.as_json(row) for row in rows], indent=2))
            return
        if not rows:
            self.stdout.write("No channel accounts yet. Connect a Twilio number with `civicdesk channels add twilio "
                              "--agency SLUG --number +1... --account-sid AC... --auth-token ...`.")
            return
        header = ("ID", "PROVIDER", "CHANNEL", "ADDRESS", "AGENCY", "STATE", "LAST INBOUND", "LAST ERROR",
                  "REJECTED SIGNATURES", "LIMITS")
        table = [header, *[self.as_row(row) for row in rows]]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        for number, line in enumerate(table):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
            if number and rows[number - 1].last_error:
                self.stdout.write(f"      last error: {rows[number - 1].last_error}")
        waiting = spool.pending()  # whether or not this shell's webhooks would spool: the web server's may
        if waiting:
            self.stdout.write(ngettext(
                "%(count)d received payload waits in the inbound spool for `civicdesk inbound_worker` (started by "
                "`civicdesk run`).",
                "%(count)d received payloads wait in the inbound spool for `civicdesk inbound_worker` (started by "
                "`civicdesk run`).", waiting) % {"count": waiting})

    @staticmethod
    def as_row(row: AccountHealth) -> tuple[str, ...]:
        account = row.account
        return (str(account.pk), account.provider, account.channel, account.address or "-", account.agency.slug,
                "active" if account.is_active else "disabled", when(row.last_inbound_at), when(row.last_error_at),
                str(row.rejected_signatures), limits.describe(account) or "-")

    @staticmethod
    def as_json(row: AccountHealth) -> dict[str, Any]:
        account = row.account

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {"id": account.pk, "provider": account.provider, "channel": account.channel,
                "address": account.address, "agency": account.agency.slug, "name": account.display_name,
                "active": account.is_active, "last_inbound_at": iso(row.last_inbound_at),
                "last_error_at": iso(row.last_error_at), "last_error": row.last_error,
                "rejected_signatures": row.rejected_signatures, "rejected": row.rejected,
                "last_rejected_at": iso(row.last_rejected_at), "webhook_urls": row.urls,
                "paused_until": iso(account.paused_until), "limits": account.limits}

    def disable(self, account: ChannelAccount) -> None:
        changed = actions.set_account_active(account, active=False)
        self.stdout.write(f"Disabled {account.address or account}: its webhooks answer 404 until it is enabled."
                          if changed else f"{account.address or account} was already disabled.")

    def enable(self, account: ChannelAccount) -> None:
        changed = actions.set_account_active(account, active=True)
        self.stdout.write(f"Enabled {account.address or account}." if changed
                          else f"{account.address or account} was already enabled.")

    def remove(self, account: ChannelAccount) -> None:
        label = account.address or str(account)
        try:
            actions.remove_account(account)
        except actions.AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Removed {label}. Remove its webhook addresses from the provider's console too.")
