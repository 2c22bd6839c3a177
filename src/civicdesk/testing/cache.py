"""Emptying the shared cache (a database table without REDIS_URL) around tests that use the database."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def uses_database(request: pytest.FixtureRequest) -> bool:
    return bool(request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames))


def fresh_shared_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty the cache before and after a database test (rate-limit counts start at zero); others never touch it.

    Transactional and live-server tests need this: their flush leaves the cache table, which is no model, alone.
    """
    if not uses_database(request):
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    yield
    cache.clear()
