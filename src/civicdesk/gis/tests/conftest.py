"""Fixtures for gis tests: a fresh index cache per test, and the synthetic city loaded and active."""

import pytest

from civicdesk.gis.actions import activate_generation, import_boundaries
from civicdesk.gis.lookup import invalidate
from civicdesk.gis.tests import fixtures as city


@pytest.fixture(autouse=True)
def _fresh_index():
    invalidate()
    yield
    invalidate()


@pytest.fixture
def wards(db, django_capture_on_commit_callbacks):
    """The synthetic wards imported and activated; returns {name: Area}."""
    from civicdesk.gis.actions import ensure_default_area_types
    from civicdesk.gis.models import Area

    ensure_default_area_types()  # a live-server test before this one flushed the migration's rows
    with django_capture_on_commit_callbacks(execute=True):
        report = import_boundaries(city.ward_source(), area_type="ward", name_field="NAME", code_field="CODE")
        activate_generation(report.generation)
    return {a.name: a for a in Area.objects.filter(generation_low=report.generation)}
