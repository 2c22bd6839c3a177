"""`civicdesk open311 ...`: API keys, external endpoints, forwarding a case, and pulling external updates."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from civicdesk.agencies.models import Service
from civicdesk.cases.models import Case
from civicdesk.open311 import forwarding, keys
from civicdesk.open311.models import ApiKey, EndpointFormat, ExternalEndpoint, ServiceMapping


class Command(BaseCommand):
    help = "Open311: `key create APP`, `key list`, `key revoke APP|PREFIX`, `endpoint add`, `forward`, `pull`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True)
        key = sub.add_parser("key", help="Client API keys.").add_subparsers(dest="action", required=True)
        create = key.add_parser("create", help="Issue a key; it is printed once.")
        create.add_argument("app_name")
        create.add_argument("--rate-limit", type=int, default=None, help="POSTs per minute (default from settings).")
        create.add_argument("--contact", default="")
        key.add_parser("list", help="List keys (prefixes only).")
        revoke = key.add_parser("revoke", help="Revoke every live key of an application, or one key by prefix.")
        revoke.add_argument("app_or_prefix")
        endpoint = sub.add_parser("endpoint", help="External endpoints.").add_subparsers(dest="action", required=True)
        add = endpoint.add_parser("add", help="Register (or update) an external GeoReport v2 endpoint.")
        add.add_argument("name")
        add.add_argument("url")
        add.add_argument("--api-key", default="")
        add.add_argument("--jurisdiction", default="")
        add.add_argument("--format", choices=EndpointFormat.values, default=EndpointFormat.XML)
        add.add_argument("--supports-updates", action="store_true")
        add.add_argument("--share-contact", action="store_true")
        add.add_argument("--map", action="append", default=[], metavar="OURS=THEIRS",
                         help="Map one of our service codes to theirs (repeatable).")
        endpoint.add_parser("list")
        fwd = sub.add_parser("forward", help="Forward a case to an endpoint.")
        fwd.add_argument("case_number")
        fwd.add_argument("endpoint")
        fwd.add_argument("--actor", default="", help="Username recorded as the forwarding agent.")
        sub.add_parser("pull", help="Run the periodic pull of external updates now.")

    def handle(self, *args: Any, **options: Any) -> None:
        area, action = options["area"], options.get("action")
        handler = getattr(self, f"_{area}_{action}" if action else f"_{area}")
        handler(options)

    def _key_create(self, options: dict[str, Any]) -> None:
        try:
            issued = keys.create_key(options["app_name"], rate_limit=options["rate_limit"], contact=options["contact"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(issued.raw)
        self.stderr.write(f"API key for {issued.api_key.app_name} (limit {issued.api_key.rate_limit}/min). "
                          "Copy it now: only its hash is stored.")

    def _key_list(self, options: dict[str, Any]) -> None:
        for api_key in ApiKey.objects.all():
            state = "revoked" if api_key.is_revoked else "live"
            self.stdout.write(f"{api_key.prefix}…  {api_key.app_name}  {api_key.rate_limit}/min  {state}")

    def _key_revoke(self, options: dict[str, Any]) -> None:
        target = options["app_or_prefix"]
        found = list(ApiKey.objects.filter(app_name=target, is_revoked=False)) or list(
            ApiKey.objects.filter(prefix=target[:12], is_revoked=False))
        if not found:
            raise CommandError(f"No live key for '{target}'.")
        for api_key in found:
            keys.revoke_key(api_key)
        self.stdout.write(f"Revoked {len(found)} key(s).")

    def _endpoint_add(self, options: dict[str, Any]) -> None:
        endpoint, _ = ExternalEndpoint.objects.update_or_create(name=options["name"], defaults={
            "url": options["url"], "api_key": options["api_key"], "jurisdiction_id": options["jurisdiction"],
            "format": options["format"], "supports_updates": options["supports_updates"],
            "share_contact_details": options["share_contact"]})
        for pair in options["map"]:
            ours, _, theirs = pair.partition("=")
            service = Service.objects.filter(code=ours.strip()).first()
            if service is None or not theirs.strip():
                raise CommandError(f"--map {pair}: expected OUR_CODE=THEIR_CODE with one of our service codes.")
            ServiceMapping.objects.update_or_create(endpoint=endpoint, service=service,
                                                    defaults={"remote_service_code": theirs.strip()})
        self.stdout.write(f"Endpoint {endpoint.name} (id {endpoint.pk}) with {endpoint.mappings.count()} mapping(s).")

    def _endpoint_list(self, options: dict[str, Any]) -> None:
        for endpoint in ExternalEndpoint.objects.all():
            self.stdout.write(f"{endpoint.pk}  {endpoint.name}  {endpoint.url}  {endpoint.format}")

    def _forward(self, options: dict[str, Any]) -> None:
        ref = options["case_number"]
        case = Case.objects.filter(Q(number=ref) | Q(public_id=ref)).first()  # the number, or the public id
        endpoint = ExternalEndpoint.objects.filter(name=options["endpoint"]).first()
        if case is None or endpoint is None:
            raise CommandError("Unknown case number or endpoint name.")
        actor = get_user_model().objects.filter(username=options["actor"]).first() if options["actor"] else None
        try:
            forward = forwarding.forward_case(case, endpoint, actor)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        forward.refresh_from_db()
        self.stdout.write(f"{case.number} → {endpoint.name}: {forward.state} {forward.remote_id}".rstrip())

    def _pull(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"Applied {forwarding.pull_all()} update(s).")
