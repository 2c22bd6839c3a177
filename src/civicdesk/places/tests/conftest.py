"""Fixtures for places tests: a fresh search index and base map cache per test."""

import pytest
from django.core.cache import caches

from civicdesk.places.search import reset_index


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_index()
    caches["local"].clear()
    yield
    reset_index()
