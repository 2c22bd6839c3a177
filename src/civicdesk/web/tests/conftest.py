"""Fixtures for the cross-app tests: the staff-side world, the synthetic wards, and cases on the map."""

from typing import Any

import pytest

from civicdesk.gis.tests import conftest as gis_fixtures
from civicdesk.inbox.tests import conftest as staff_fixtures
from civicdesk.inbox.tests.conftest import World
from civicdesk.testing.cache import fresh_shared_cache
from civicdesk.testing.factories import create_case

world = staff_fixtures.world
wards = gis_fixtures.wards
_fast_password_hashing = staff_fixtures._fast_password_hashing
_fresh_index = gis_fixtures._fresh_index


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    yield from fresh_shared_cache(request)


@pytest.fixture
def mapped_cases(world: World, wards: Any) -> list[Any]:
    """Cases of both agencies inside the wards, so maps, hotspots and lists have rows to work on."""
    return [create_case(service=world.pothole if i % 2 else world.tree, lat=40.002 + i * 0.0005,
                        lon=-74.998 + i * 0.001, email=f"r{i}@example.com") for i in range(6)]
