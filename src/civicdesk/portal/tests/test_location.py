"""Where a request is: required, optional or not asked per service, and a point outside Riverbend is questioned."""

import pytest

from civicdesk.agencies.models import LocationMode
from civicdesk.cases.models import Case
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.models import CaseRouting
from civicdesk.testing.factories import create_agency, create_service

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"
LONDON = {"lat": "51.5007", "lon": "-0.1246"}
QUESTION = "This location is outside Riverbend. Move the pin, or confirm that you want to send it anyway."


@pytest.fixture
def riverbend(django_capture_on_commit_callbacks):
    create_agency("311", "Riverbend 311")
    with django_capture_on_commit_callbacks(execute=True):
        seed_boundaries()


def test_a_point_outside_the_city_is_questioned_and_nothing_typed_is_lost(client, service, valid_data, riverbend):
    response = client.post(FORM_URL, {**valid_data, **LONDON})
    html = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert QUESTION in html
    assert 'id="error-summary" role="alert"' in html and '<a href="#id_confirm_outside">' in html
    assert 'id="id_confirm_outside" type="checkbox" name="confirm_outside"' in html
    assert "I confirm the location outside Riverbend is right" in html
    assert 'value="51.5007"' in html and 'value="-0.1246"' in html and "A deep pothole." in html
    assert 'value="Near the bakery"' in html and 'value="Ada@Example.com"' in html


def test_a_confirmed_point_outside_the_city_makes_a_flagged_case(client, service, valid_data, riverbend,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, {**valid_data, **LONDON, "confirm_outside": "on"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.lat, case.lon) == (51.5007, -0.1246)
    assert CaseRouting.objects.get(case=case).flagged


def test_a_point_moved_inside_the_city_goes_through_without_a_question(client, service, valid_data, riverbend,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, {**valid_data, "lat": "40.0", "lon": "-75.0"})
    assert response.status_code == 302
    assert not CaseRouting.objects.get(case=Case.objects.get()).flagged


def test_an_address_alone_and_a_service_that_accepts_outside_points_are_not_questioned(client, service, valid_data,
                                                                                       riverbend):
    assert client.post(FORM_URL, valid_data).status_code == 302  # no point: nothing to check
    service.accepts_outside_locations = True
    service.save()
    assert client.post(FORM_URL, {**valid_data, **LONDON, "form_token": "1b6f0b7e-6f4e-4d2b-9a53-1e2f3a4b5c6d"}
                       ).status_code == 302


def test_without_boundaries_nothing_is_questioned(client, service, valid_data):
    assert client.post(FORM_URL, {**valid_data, **LONDON}).status_code == 302


def test_a_general_question_has_no_location_fields_and_ignores_any_sent(client, valid_data):
    agency = create_agency("311", "Riverbend 311")
    create_service(agency, "general-question", name="General question", location_mode=LocationMode.NOT_ASKED)
    html = client.get("/services/general-question/").content.decode()
    assert "Where is it?" not in html and 'name="lat"' not in html and 'name="address"' not in html
    data = {"form_token": valid_data["form_token"], "description": "When is city hall open on Saturdays?",
            "address": "1 Main St", "lat": "51.5", "lon": "-0.12", "email": "ada@example.com"}
    assert client.post("/services/general-question/", data).status_code == 302
    case = Case.objects.get()
    assert (case.address, case.lat, case.lon) == ("", None, None)


def test_an_optional_location_may_be_left_empty(client, valid_data):
    agency = create_agency("parks", "Parks")
    create_service(agency, "park-maintenance", name="Park maintenance", location_mode=LocationMode.OPTIONAL)
    html = client.get("/services/park-maintenance/").content.decode()
    assert "Where is it? (optional)" in html and "You can leave this empty." in html
    data = {"form_token": valid_data["form_token"], "description": "The grass is knee high.", "address": "",
            "lat": "", "lon": ""}
    assert client.post("/services/park-maintenance/", data).status_code == 302
    assert Case.objects.get().address == ""


def test_a_required_location_is_still_required(client, service, valid_data):
    html = client.post(FORM_URL, {**valid_data, "address": ""}).content.decode()
    assert "Tell us where" in html and "Where is it? <abbr" in html
