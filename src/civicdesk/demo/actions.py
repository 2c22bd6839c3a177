"""Seeding the demo city of Riverbend: agencies, teams, services, mailboxes, staff logins and demo cases."""

import importlib
import importlib.util
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from civicdesk.agencies.models import Agency, LocationMode, Service, ServiceAttribute, StaffProfile, StaffRole, Team
from civicdesk.assignment.models import TeamAgent, TeamAssignment
from civicdesk.channels.credentials import DEMO_OUTBOX
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.demo import data, spanish
from civicdesk.demo.models import DemoAccount
from civicdesk.demo.search_terms import SEARCH_TERMS
from civicdesk.demo.surveys import seed_surveys
from civicdesk.demo.targets import seed_targets
from civicdesk.demo.timelines import CaseBuilder, CaseCounts
from civicdesk.mail.models import Mailbox
from civicdesk.opendata.actions import write_export

GIS_DEMO_MODULE = "civicdesk.gis.demo"
PLACES_DEMO_MODULE = "civicdesk.places.demo"


@dataclass
class SeedSummary:
    seeded: bool
    agencies: int = 0
    teams: int = 0
    services: int = 0
    mailboxes: int = 0
    staff: list[str] = field(default_factory=list)
    cases: CaseCounts | None = None
    boundaries: str = ""


def seed_agencies() -> dict[str, Agency]:
    agencies = {}
    for slug, name, email, phone, description, teams in data.AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name, "email": email, "phone": phone, "description": description,
                                 "translations": spanish.agency_translations(slug)})
        for team in teams:
            Team.objects.get_or_create(agency=agency, name=team)
        agencies[slug] = agency
    return agencies


def seed_services(agencies: dict[str, Agency]) -> list[Service]:
    services = []
    for spec in data.SERVICES:
        agency = agencies[spec["agency"]]
        service, created = Service.objects.get_or_create(code=spec["code"], defaults={
            "name": spec["name"], "group": spec["group"], "agency": agency, "description": spec["description"],
            "keywords": spec["keywords"], "search_terms": "\n".join(SEARCH_TERMS.get(spec["code"], [])),
            "is_realtime": spec.get("realtime", True),
            "default_team": Team.objects.get(agency=agency, name=spec["team"]),
            "publish_description": spec["code"] in data.PUBLISHED_DESCRIPTIONS,
            "translations": spanish.service_translations(spec["code"], spec["group"]),
            "location_mode": data.LOCATION_MODES.get(spec["code"], LocationMode.REQUIRED),
        })
        if created:
            ServiceAttribute.objects.bulk_create([
                ServiceAttribute(service=service, order=order, code=a["code"], datatype=a["datatype"],
                                 description=a["description"], required=a["required"], values=a["values"],
                                 variable=a["variable"],
                                 translations=spanish.attribute_translations(spec["code"], a["code"]))
                for order, a in enumerate(spec["attributes"], start=1)
            ])
        services.append(service)
    return services


def seed_mailboxes(agencies: dict[str, Agency]) -> int:
    """One email account per demo address, each with its mailbox detail (SMTP only: no IMAP settings)."""
    for address, slug, display_name in data.MAILBOXES:
        account, _ = ChannelAccount.objects.get_or_create(
            provider=Provider.EMAIL, address=address,
            defaults={"channel": Channel.EMAIL, "agency": agencies[slug], "display_name": display_name})
        Mailbox.objects.get_or_create(account=account)
    return len(data.MAILBOXES)


def seed_channel_accounts(agencies: dict[str, Agency]) -> int:
    """The demo city's text line and social accounts, with made-up secrets and DEMO_OUTBOX (see data.CHANNEL_ACCOUNTS).
    Secrets are random per database: `channels simulate` signs with them as the network would."""
    made = 0
    for provider, channel, slug, address, display_name in data.CHANNEL_ACCOUNTS:
        if slug not in agencies or ChannelAccount.objects.filter(provider=provider, address=address).exists():
            continue
        account = ChannelAccount(provider=provider, channel=channel, agency=agencies[slug], address=address,
                                 display_name=display_name)
        account.set_credentials({DEMO_OUTBOX: "1", "account_sid": "AC" + "0" * 32, "auth_token": secrets.token_hex(16),
                                 "page_token": "demo", "app_secret": secrets.token_hex(16),
                                 "verify_token": secrets.token_hex(8), "access_token": "demo",
                                 "app_password": "demo", "api_key": "demo"})
        account.save()
        made += 1
    return made


def seed_staff(agencies: dict[str, Agency]) -> dict[str, User]:
    users = {}
    for username, first, last, role, slugs, team_names in data.STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, f"{username}@riverbend.example", data.DEMO_PASSWORD,
                                            first_name=first, last_name=last, is_staff=role == StaffRole.ADMIN,
                                            is_superuser=role == StaffRole.ADMIN)
            DemoAccount.objects.create(user=user)  # only logins made here: a real "admin" is never marked
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": role})
        profile.agencies.add(*[agencies[s] for s in slugs])
        profile.teams.add(*Team.objects.filter(agency__slug__in=slugs, name__in=team_names))
        users[username] = user
    return users


def seed_assignment(agencies: dict[str, Agency], users: dict[str, User]) -> None:
    """Round robin on one demo team and least open cases first on another, with capacities (data.ASSIGNMENT)."""
    for slug, team_name, mode, capacity, return_when_away, own in data.ASSIGNMENT:
        team = Team.objects.get(agency=agencies[slug], name=team_name)
        TeamAssignment.objects.update_or_create(team=team, defaults={
            "mode": mode, "capacity": capacity, "return_when_away": return_when_away})
        for username, value in own.items():
            TeamAgent.objects.update_or_create(team=team, user=users[username], defaults={"capacity": value})


def seed_boundaries(module_name: str = GIS_DEMO_MODULE, function: str = "seed_boundaries") -> str:
    """Call the GIS app's demo boundaries (or the places app's streets) when that module exists; report what it
    said."""
    if importlib.util.find_spec(module_name) is None:
        return ""
    module: Any = importlib.import_module(module_name)
    seed = getattr(module, function, None)
    if seed is None:
        return ""
    result = seed()
    return str(result) if result is not None else "done"


def seed_demo(*, force: bool = False, case_count: int = data.DEMO_CASE_COUNT,
              seed: int = data.RANDOM_SEED) -> SeedSummary:
    """Create Riverbend in an empty database; with agencies present do nothing unless forced.

    Forcing reuses the existing demo agencies, services and logins and adds another batch of cases.
    """
    if Agency.objects.exists() and not force:
        return SeedSummary(seeded=False)
    with transaction.atomic():
        agencies = seed_agencies()
        services = seed_services(agencies)
        mailboxes = seed_mailboxes(agencies)
        seed_channel_accounts(agencies)
        users = seed_staff(agencies)
        counts = CaseBuilder(agencies, services, users, seed=seed).build(case_count)
        seed_assignment(agencies, users)  # after the cases: the demo's history is not assigned again
        seed_targets(agencies)  # response and resolution targets, and the demo cases' due times
        seed_surveys(seed=seed)  # satisfaction: surveys sent and answered on finished cases
    boundaries = seed_boundaries()
    places = seed_boundaries(PLACES_DEMO_MODULE, "seed_places")  # after the cases: their addresses become points
    if places:
        boundaries = f"{boundaries}; {places}" if boundaries else places
    seed_boundaries("civicdesk.crisis.demo", "seed_incidents")  # after the wards: a past incident of Ward 2
    seed_boundaries("civicdesk.listening.demo", "seed_listening")  # after the wards: a surge on River Road
    write_export()  # the open data page has today's file from the start (then the scheduler writes one a day)
    return SeedSummary(seeded=True, agencies=len(agencies), teams=Team.objects.count(), services=len(services),
                       mailboxes=mailboxes, staff=list(users), cases=counts, boundaries=boundaries)


@dataclass
class RemovedDemoStaff:
    usernames: list[str]
    admins_left: int  # active superusers after the removal


def remove_demo_staff() -> RemovedDemoStaff:
    """Deactivate every login seed-demo created: no password, no admin rights, sessions and tokens dead.

    The users stay (their names remain on case timelines and audit entries); real staff are never touched.
    """
    with transaction.atomic():
        accounts = list(DemoAccount.objects.select_for_update().select_related("user")
                        .filter(removed_at__isnull=True).order_by("user__username"))
        for account in accounts:
            user = account.user
            user.set_unusable_password()  # also ends the user's sessions (the session hash changes)
            user.is_active = user.is_staff = user.is_superuser = False
            user.save(update_fields=["password", "is_active", "is_staff", "is_superuser"])
        DemoAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(removed_at=timezone.now())
        admins_left = User.objects.filter(is_active=True, is_superuser=True).count()
    return RemovedDemoStaff(usernames=[a.user.username for a in accounts], admins_left=admins_left)
