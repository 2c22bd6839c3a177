"""Plain factory functions for tests: agencies, staff, services and cases built through real actions."""

import itertools
from typing import Any

from django.contrib.auth.models import User

from civicdesk.agencies.models import (
    Agency,
    AttributeDatatype,
    Service,
    ServiceAttribute,
    StaffProfile,
    StaffRole,
    Team,
)
from civicdesk.cases.models import Case
from civicdesk.channels.events import InboundMessage, SenderIdentity
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import apply, prepare

_seq = itertools.count(1)


def create_agency(slug: str = "", name: str = "", **kwargs: Any) -> Agency:
    n = next(_seq)
    slug = slug or f"agency-{n}"
    return Agency.objects.create(slug=slug, name=name or slug.replace("-", " ").title(), **kwargs)


def create_team(agency: Agency, name: str = "") -> Team:
    return Team.objects.create(agency=agency, name=name or f"Team {next(_seq)}")


def create_staff(username: str = "", *, role: str = StaffRole.AGENT, agencies: list[Agency] | None = None,
                 teams: list[Team] | None = None, password: str = "demo") -> User:
    user = User.objects.create_user(username or f"user{next(_seq)}", f"{username or 'u'}@staff.example", password)
    if role == StaffRole.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    profile = StaffProfile.objects.create(user=user, role=role)
    profile.agencies.set(agencies or [])
    profile.teams.set(teams or [])
    return user


def create_service(agency: Agency, code: str = "", *, group: str = "Streets", attributes: list[dict] | None = None,
                   **kwargs: Any) -> Service:
    code = code or f"service-{next(_seq)}"
    service = Service.objects.create(code=code, name=kwargs.pop("name", code.replace("-", " ").title()),
                                     group=group, agency=agency, **kwargs)
    for order, spec in enumerate(attributes or []):
        ServiceAttribute.objects.create(service=service, order=order, **{
            "datatype": AttributeDatatype.STRING, "description": spec.get("code", "question"), **spec})
    return service


def create_case(*, channel: str = "web", service: Service | None = None, email: str = "resident@example.com",
                subject: str = "A problem", body: str = "Please fix it.", agency_slug: str = "",
                **kwargs: Any) -> Case:
    """A case made through the real ingest pipeline, as a resident on `channel` would make it."""
    pid = f"test-{next(_seq)}"
    payload, _ = store_payload(channel, b"{}", provider_message_id=pid)
    message = InboundMessage(
        channel=channel, provider_message_id=pid, sender=SenderIdentity("email", email) if email else None,
        subject=subject, body_text=body, service_code=service.code if service else "", agency_slug=agency_slug,
        **kwargs,
    )
    result = apply(payload, [prepare(message, service=service)])
    assert result.case is not None
    return result.case
