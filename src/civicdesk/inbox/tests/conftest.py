"""Fixtures for the staff-side tests: two agencies with staff of every role, and signed-in clients."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from civicdesk.agencies.models import Agency, Service, StaffRole, Team
from civicdesk.testing.factories import create_agency, create_service, create_staff, create_team
from civicdesk.testing.signin import staff_login


@dataclass
class World:
    works: Agency
    parks: Agency
    works_team: Team
    parks_team: Team
    pothole: Service
    tree: Service
    admin: Any
    supervisor: Any
    works_agent: Any
    works_agent2: Any
    parks_agent: Any


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    works = create_agency("public-works", "Public Works")
    parks = create_agency("parks", "Parks and Recreation")
    works_team = create_team(works, "Road crew")
    parks_team = create_team(parks, "Tree crew")
    return World(
        works=works, parks=parks, works_team=works_team, parks_team=parks_team,
        pothole=create_service(works, "pothole", default_team=works_team),
        tree=create_service(parks, "fallen-tree", group="Parks"),
        admin=create_staff("boss", role=StaffRole.ADMIN),
        supervisor=create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[works, parks]),
        works_agent=create_staff("wanda", agencies=[works], teams=[works_team]),
        works_agent2=create_staff("walt", agencies=[works], teams=[works_team]),
        parks_agent=create_staff("pat", agencies=[parks], teams=[parks_team]),
    )


def client_for(user: Any) -> Client:
    """A client signed in as `user`, past two-factor when the account needs it (admins)."""
    return staff_login(Client(), user)


@pytest.fixture
def works_client(world: World) -> Client:
    return client_for(world.works_agent)


@pytest.fixture
def parks_client(world: World) -> Client:
    return client_for(world.parks_agent)


@pytest.fixture
def admin_client_(world: World) -> Client:
    return client_for(world.admin)
