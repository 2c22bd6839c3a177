"""Fixtures for the staff side of live chat: the staff-side world and fresh per-process check-in marks."""

import pytest
from django.core.cache import caches

from civicdesk.inbox.tests import conftest as staff_fixtures

world = staff_fixtures.world  # two agencies with staff of every role (wanda and walt: Public Works agents)
_fast_password_hashing = staff_fixtures._fast_password_hashing
works_client = staff_fixtures.works_client  # signed in as Wanda


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    caches["local"].clear()  # the per-process check-in marks: user ids repeat from test to test
    yield
    caches["local"].clear()
