"""Open311 POSTs and the city's boundary: far outside is a 400 (JSON and XML) unless the service accepts it; a
service's location mode decides whether a location is needed, and a not-asked one ignores any sent."""

import json
import xml.etree.ElementTree as ET

import pytest

from civicdesk.agencies.models import LocationMode
from civicdesk.cases.models import Case
from civicdesk.channels.models import InboundPayload
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.models import CaseRouting
from civicdesk.open311.tests.conftest import POTHOLE

pytestmark = pytest.mark.django_db
LONDON = {"lat": "51.5007", "long": "-0.1246"}
QUESTION = {"service_code": "general-question", "description": "When is city hall open on Saturdays?"}


@pytest.fixture
def riverbend(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_boundaries()
    return city


def test_a_london_point_gets_a_400_in_the_spec_error_format(post, riverbend):
    response = post("json", **{**POTHOLE, **LONDON})
    assert response.status_code == 400 and response["Content-Type"] == "application/json; charset=utf-8"
    [error] = json.loads(response.content)
    assert error["code"] == 400
    assert "(51.5007, -0.1246) is outside Riverbend" in error["description"] and "lat/long" in error["description"]
    xml = post("xml", **{**POTHOLE, **LONDON})
    assert xml.status_code == 400
    root = ET.fromstring(xml.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"
    assert "outside Riverbend" in root.find("error/description").text
    assert not Case.objects.exists() and not InboundPayload.objects.exists()


def test_swapped_coordinates_are_named_in_the_400(post, riverbend):
    response = post("json", **{**POTHOLE, "lat": "-75.0", "long": "40.0"})
    assert response.status_code == 400 and "look swapped" in response.content.decode()


def test_a_point_just_outside_the_boundary_is_accepted_and_flagged(post, riverbend,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post("json", **POTHOLE)  # 40.01, -75.12: about 5 km west of Riverbend, within the margin
    assert response.status_code == 200
    assert CaseRouting.objects.get(case=Case.objects.get()).flagged


def test_a_service_that_accepts_outside_locations_takes_a_london_point(post, riverbend):
    service = riverbend["services"]["pothole"]
    service.accepts_outside_locations = True
    service.save()
    assert post("json", **{**POTHOLE, **LONDON}).status_code == 200


def test_without_boundaries_no_point_is_refused(post, city):
    assert post("json", **{**POTHOLE, **LONDON}).status_code == 200


def test_a_required_location_is_still_required(post, city):
    request = {k: v for k, v in POTHOLE.items() if k not in ("lat", "long")}
    response = post("json", **request)
    assert response.status_code == 400 and "A location is required" in response.content.decode()


def test_a_general_question_needs_no_location_and_ignores_one_sent(post, riverbend):
    assert riverbend["services"]["general-question"].location_mode == LocationMode.NOT_ASKED
    response = post("json", **QUESTION)
    assert response.status_code == 200, response.content
    assert post("json", **{**QUESTION, "description": "And on Sundays?", **LONDON, "address_string": "10 Downing St"}
                ).status_code == 200
    assert list(Case.objects.values_list("lat", "lon", "address")) == [(None, None, "")] * 2


def test_a_request_with_neither_location_nor_description_says_nothing_and_is_refused(post, city):
    response = post("json", service_code="general-question")
    assert response.status_code == 400 and "description: required" in response.content.decode()
    park = city["services"]["park-maintenance"]
    assert park.location_mode == LocationMode.OPTIONAL
    assert post("json", **{"service_code": "park-maintenance", "attribute[park_name]": "Riverside Park",
                           "description": "Grass not mowed."}).status_code == 200


def test_the_outside_problem_is_reported_with_every_other_problem_at_once(post, riverbend):
    request = {k: v for k, v in POTHOLE.items() if k != "attribute[size]"}
    response = post("json", **{**request, **LONDON})
    descriptions = " ".join(e["description"] for e in json.loads(response.content))
    assert response.status_code == 400 and "attribute[size]: required" in descriptions
    assert "is outside Riverbend" in descriptions
