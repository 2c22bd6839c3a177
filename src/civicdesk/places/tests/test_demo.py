"""Riverbend's demo streets, addresses and places fit the demo city, and the demo cases' addresses exist."""

import pytest
import shapely
from shapely.geometry import Point

from civicdesk.gis.demo import _city, seed_boundaries
from civicdesk.places.demo import seed_places
from civicdesk.places.models import AddressPoint, Place, Street, StreetClass
from civicdesk.places.search import current_index
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def riverbend():
    works = create_agency("public-works", "Public Works")
    create_agency("311", "Riverbend 311")
    service = create_service(works, "pothole", name="Pothole")
    create_case(service=service, address="1234 Elm Street", lat=40.0, lon=-75.0)
    seed_boundaries()
    return seed_places()


def test_the_demo_city_gets_streets_addresses_and_named_places_inside_its_boundary(riverbend):
    city = _city().buffer(1e-9)
    assert Street.objects.count() >= 40
    assert 3000 <= AddressPoint.objects.count() <= 12000
    assert set(Street.objects.filter(street_class=StreetClass.PRIMARY).values_list("name", flat=True)) >= {
        "Main Street", "Market Street", "River Road", "Washington Avenue"}
    for street in Street.objects.all():
        assert city.covers(shapely.from_wkb(bytes(street.wkb))), street.name
    for point in AddressPoint.objects.all()[::50]:
        assert city.contains(Point(point.lon, point.lat)), point.label
    names = set(Place.objects.values_list("name", flat=True))
    assert {"Riverbend City Hall", "Riverbend Public Library", "Riverbend High School", "Commons Park",
            "Lenape River"} <= names


def test_the_demo_case_addresses_and_main_street_exist_as_addresses(riverbend):
    assert AddressPoint.objects.filter(label="1234 Elm Street").exists()
    assert AddressPoint.objects.filter(label="100 Main Street").exists()
    assert current_index().search("100 main st")[0].label == "100 Main Street"
    assert current_index().search("city hall")[0].label == "Riverbend City Hall"


def test_seeding_twice_changes_nothing(riverbend):
    count = AddressPoint.objects.count()
    assert seed_places() == "already there"
    assert AddressPoint.objects.count() == count
