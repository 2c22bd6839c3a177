"""Malformed input found by fuzzing a live server: each gets the spec's error body naming the field, never a 500."""

import json

import pytest
from django.test import override_settings

from civicdesk.cases.models import Case
from civicdesk.channels.models import InboundPayload
from civicdesk.open311.tests.conftest import POTHOLE

pytestmark = pytest.mark.django_db


def assert_spec_error(response, status, *names):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    errors = json.loads(response.content)
    text = " ".join(e["description"] for e in errors)
    assert all(e["code"] == status for e in errors)
    for name in names:
        assert name in text, (name, text)


def assert_nothing_created():
    assert not Case.objects.exists() and not InboundPayload.objects.exists()


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_number_attribute_must_be_finite(post, city, value):
    assert_spec_error(post("json", **POTHOLE, **{"attribute[depth]": value}), 400, "attribute[depth]")
    assert_nothing_created()


@pytest.mark.parametrize(("name", "value"), [
    ("start_date", "0001-01-01T00:00:00+05:00"), ("end_date", "0001-01-01T00:00:00Z"),
    ("end_date", "9999-12-31T23:59:59-05:00"), ("updated_after", "9999-12-31T23:59:59Z"),
])
def test_datetimes_at_the_ends_of_the_calendar(client, city, name, value):
    assert_spec_error(client.get("/open311/v2/requests.json", {name: value}), 400, name)
    if name in ("start_date", "end_date"):  # the only dates servicerequestupdates reads
        assert_spec_error(client.get("/open311/v2/servicerequestupdates.json", {name: value}), 400, name)


def test_far_but_valid_dates_still_work(client, city):
    response = client.get("/open311/v2/requests.json", {"start_date": "1900-01-01T00:00:00Z",
                                                        "end_date": "9000-01-01T00:00:00Z"})
    assert response.status_code == 200 and json.loads(response.content) == []


@pytest.mark.parametrize(("path", "params", "name"), [
    ("requests/A%00B.json", {}, "service_request_id"),
    ("services/pot%00hole.json", {}, "service_code"),
    ("tokens/t%00.json", {}, "token"),
    ("requests.json", {"service_request_id": "a\x00b"}, "service_request_id"),
    ("requests.json", {"service_code": "pothole\x00"}, "service_code"),
    ("services.json", {"jurisdiction_id": "x\x00"}, "jurisdiction_id"),
])
def test_nul_characters_in_get_requests(client, city, path, params, name):
    assert_spec_error(client.get(f"/open311/v2/{path}", params), 400, name)


@pytest.mark.parametrize("field", ["description", "service_code", "first_name", "attribute[depth]", "api_key"])
def test_nul_characters_in_posts(post, city, field):
    assert_spec_error(post("json", **{**POTHOLE, field: "1\x00"}), 400, field)
    assert_nothing_created()


def test_nul_in_an_update(client, post, city, api_key):
    number = json.loads(post("json", **POTHOLE).content)[0]["service_request_id"]
    form = {"api_key": api_key, "service_request_id": number, "update_id": "1", "status": "OPEN",
            "updated_datetime": "2024-05-01T10:00:00Z", "description": "bad\x00"}
    assert_spec_error(client.post("/open311/v2/servicerequestupdates.json", form), 400, "description")
    assert Case.objects.get().messages.count() == 1


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=50)
def test_too_many_fields_is_a_spec_error_not_an_html_page(client, post, city):
    extra = {f"x{i}": "1" for i in range(60)}
    assert_spec_error(post("json", **POTHOLE, **extra), 400, "fields")
    assert_spec_error(client.get("/open311/v2/requests.json", extra), 400, "fields")
    assert_nothing_created()
