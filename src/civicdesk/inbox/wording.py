"""The words the timeline's sentences share: who did it, and the names of statuses, channels, agencies and staff."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from civicdesk.audit.models import AuditEntry
from civicdesk.cases.models import CaseStatus, Priority
from civicdesk.channels.models import Channel


@dataclass
class Names:
    """What the ids and slugs in a timeline's entries stand for."""

    users: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    agencies: dict[str, str] = field(default_factory=dict)
    messages: dict[int, tuple[str, str]] = field(default_factory=dict)  # message id -> (channel, recipient)


@dataclass
class Sentence:
    text: str
    detail: str = ""  # the reason, when it adds something a person wrote or the system explains
    technical: str = ""  # behind "Technical details"


def actor_name(event: AuditEntry) -> str:
    """Who did it, when a person did: a staff member, the resident, or a partner; "" for the system."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    label = event.actor_label or ""
    if label == "resident":
        return gettext("the resident")
    if label.startswith("open311:"):
        return label.split(":", 1)[1]
    return ""


def status_label(value: Any) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else str(value or gettext("none"))


def priority_label(value: Any) -> str:
    return str(Priority(value).label) if value in Priority.values else str(value or gettext("none"))


def channel_label(value: Any) -> str:
    """A channel's name; "" for anything that is not one (an actor label such as "system")."""
    return str(Channel(value).label) if value in Channel.values else ""


def quoted(values: list[str]) -> str:
    return ", ".join(f"“{v}”" for v in values)


def agency_name(names: Names, slug: Any) -> str:
    return names.agencies.get(str(slug), str(slug or gettext("no agency")))


def team_name(names: Names, pk: Any) -> str:
    return names.teams.get(pk, gettext("no team")) if pk else gettext("no team")


def user_name(names: Names, pk: Any) -> str:
    return names.users.get(pk, gettext("a former staff member")) if pk else gettext("nobody")


def with_actor(by: str, with_actor: str, without: str, **values: Any) -> str:
    return (with_actor % {**values, "name": by}) if by else (without % values)
