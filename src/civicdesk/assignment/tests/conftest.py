"""Fixtures for the assignment tests: one agency with a three-agent team, supervisors in and out of it, helpers."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from civicdesk.agencies.models import Agency, Service, StaffRole, Team
from civicdesk.assignment.models import AssignmentMode, TeamAssignment
from civicdesk.notifications.models import DeskPresence
from civicdesk.testing.factories import create_agency, create_service, create_staff, create_team


@dataclass
class Desk:
    works: Agency
    parks: Agency
    crew: Team
    pothole: Service
    ana: User
    ben: User
    cai: User
    supervisor: User
    parks_supervisor: User

    @property
    def agents(self) -> list[User]:
        return [self.ana, self.ben, self.cai]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def make_desk() -> Desk:
    works, parks = create_agency("public-works", "Public Works"), create_agency("parks", "Parks")
    crew = create_team(works, "Road crew")
    return Desk(
        works=works, parks=parks, crew=crew, pothole=create_service(works, "pothole", default_team=crew),
        ana=named(create_staff("ana", agencies=[works], teams=[crew]), "Ana", "Ruiz"),
        ben=named(create_staff("ben", agencies=[works], teams=[crew]), "Ben", "Okafor"),
        cai=named(create_staff("cai", agencies=[works], teams=[crew]), "Cai", "Lin"),
        supervisor=create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[works]),
        parks_supervisor=create_staff("parksup", role=StaffRole.SUPERVISOR, agencies=[parks]),
    )


@pytest.fixture
def desk(db) -> Desk:
    return make_desk()


def at_desk(*users: Any, minutes_ago: float = 0) -> None:
    """These people had a staff page open `minutes_ago`."""
    when = timezone.now() - timezone.timedelta(minutes=minutes_ago)
    for user in users:
        DeskPresence.objects.update_or_create(user_id=user.pk, defaults={"last_seen_at": when})


def rule(team: Team, mode: str = AssignmentMode.ROUND_ROBIN, capacity: int = 10,
         return_when_away: bool = False) -> TeamAssignment:
    policy, _ = TeamAssignment.objects.update_or_create(team=team, defaults={
        "mode": mode, "capacity": capacity, "return_when_away": return_when_away})
    return policy
