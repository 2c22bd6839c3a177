"""Inside or outside the jurisdiction: Riverbend's boundary, a London point, swapped axes, a margin, no boundaries."""

import pytest

from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.jurisdiction import jurisdiction_name, outside_jurisdiction
from civicdesk.gis.models import AreaType
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
LONDON = (51.5007, -0.1246)
RIVERBEND = (40.0, -75.0)
NOTCH = (40.044, -74.943)  # the demo city's cut-off north-east corner: inside its box, outside its boundary


@pytest.fixture
def riverbend(django_capture_on_commit_callbacks):
    create_agency("311")
    with django_capture_on_commit_callbacks(execute=True):
        seed_boundaries()


def test_with_no_boundaries_nothing_is_outside():
    assert outside_jurisdiction(*LONDON) is None


def test_a_london_point_is_outside_riverbend_and_the_city_centre_is_inside(riverbend):
    outside = outside_jurisdiction(*LONDON)
    assert outside is not None and outside.name == "Riverbend" and not outside.looks_swapped
    assert outside_jurisdiction(*RIVERBEND) is None
    assert outside_jurisdiction(*NOTCH) is not None


def test_swapped_coordinates_are_recognised(riverbend):
    outside = outside_jurisdiction(RIVERBEND[1], RIVERBEND[0])
    assert outside is not None and outside.looks_swapped


def test_with_a_margin_only_points_far_outside_the_extent_count(riverbend):
    assert outside_jurisdiction(*NOTCH, margin_m=10_000) is None
    assert outside_jurisdiction(40.01, -75.12, margin_m=10_000) is None  # about 5 km west of the city
    assert outside_jurisdiction(40.0, -75.3, margin_m=10_000) is not None  # about 20 km west
    assert outside_jurisdiction(*LONDON, margin_m=10_000) is not None


def test_the_name_comes_from_the_setting_first(riverbend, settings):
    settings.JURISDICTION_NAME = "the City of Riverbend"
    assert jurisdiction_name() == "the City of Riverbend"
    outside = outside_jurisdiction(*LONDON)
    assert outside is not None and outside.name == "the City of Riverbend"


def test_without_a_jurisdiction_type_the_union_of_all_areas_is_the_jurisdiction(riverbend):
    from civicdesk.gis.lookup import invalidate

    AreaType.objects.filter(slug="city").update(is_jurisdiction=False)
    invalidate()
    assert outside_jurisdiction(*RIVERBEND) is None
    outside = outside_jurisdiction(*LONDON)
    assert outside is not None and outside.name == "the city"
