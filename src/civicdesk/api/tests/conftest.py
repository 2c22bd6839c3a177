"""Fixtures for the REST API tests: the staff-side world, and API clients holding real personal tokens."""

from typing import Any

import pytest
from django.test import Client

from civicdesk.api.actions import create_token
from civicdesk.inbox.tests import conftest as staff_fixtures
from civicdesk.inbox.tests.conftest import World
from civicdesk.testing.cache import fresh_shared_cache
from civicdesk.testing.factories import create_case

world = staff_fixtures.world  # the staff-side world: two agencies with staff of every role
_fast_password_hashing = staff_fixtures._fast_password_hashing


class ApiClient:
    """Django's test client with `Authorization: Bearer <token>` on every request and JSON bodies."""

    def __init__(self, raw_token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {raw_token}"})

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, content_type="application/json")


def api_client_for(user: Any) -> ApiClient:
    return ApiClient(create_token(user, name="tests").raw)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    yield from fresh_shared_cache(request)


@pytest.fixture
def works_api(world: World) -> ApiClient:
    return api_client_for(world.works_agent)


@pytest.fixture
def parks_api(world: World) -> ApiClient:
    return api_client_for(world.parks_agent)


@pytest.fixture
def works_case(world: World):
    return create_case(service=world.pothole, subject="Pothole on Elm Street", body="Deep pothole near the school.",
                       email="alice@example.com")


@pytest.fixture
def parks_case(world: World):
    return create_case(service=world.tree, subject="Fallen tree", body="A tree fell across the path.",
                       email="bob@example.com")
