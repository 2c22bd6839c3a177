"""Fixtures for the sign-in tests: the staff-side world, fresh login counters, and mail kept in memory."""

import pytest
from django.core.cache import cache

from civicdesk.inbox.tests import conftest as staff_fixtures

world = staff_fixtures.world  # two agencies with staff of every role; every password is "demo"
_fast_password_hashing = staff_fixtures._fast_password_hashing
works_client = staff_fixtures.works_client


@pytest.fixture(autouse=True)
def _fresh_limits_and_memory_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
