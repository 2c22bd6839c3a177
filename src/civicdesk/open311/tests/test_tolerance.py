"""Tolerant input from pitfalls.md: datetimes of every shape, empty parameters, jurisdiction_id, api_key on GETs."""

import json
from datetime import UTC, datetime

import pytest
from django.test import override_settings

from civicdesk.open311.parsing import Open311Error, form_attributes, parse_datetime
from civicdesk.open311.tests.conftest import POTHOLE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-31T08:00:00Z", datetime(2024, 1, 31, 8, tzinfo=UTC)),
    ("2024-01-31T08:00:00+00:00", datetime(2024, 1, 31, 8, tzinfo=UTC)),
    ("2024-01-31T03:00:00-05:00", datetime(2024, 1, 31, 8, tzinfo=UTC)),
    ("2024-01-31T08:00:00.999999Z", datetime(2024, 1, 31, 8, 0, 0, 999999, tzinfo=UTC)),
    ("2024-01-31T23:59:59.999999-05:00", datetime(2024, 2, 1, 4, 59, 59, 999999, tzinfo=UTC)),
    ("2024-01-31T08:00:00 00:00", datetime(2024, 1, 31, 8, tzinfo=UTC)),  # '+' decoded to a space
    ("2024-01-31T13:00:00 05:00", datetime(2024, 1, 31, 8, tzinfo=UTC)),
    ("2024-01-31T08:00:00-0500", datetime(2024, 1, 31, 13, tzinfo=UTC)),
    ("2024-01-31T03:00:00", datetime(2024, 1, 31, 8, tzinfo=UTC)),  # no zone: America/New_York (EST)
    ("2024-07-01T04:00:00", datetime(2024, 7, 1, 8, tzinfo=UTC)),  # ... and EDT in summer
    ("2013-01-01 17:15", datetime(2013, 1, 1, 22, 15, tzinfo=UTC)),
    ("2024-01-31", datetime(2024, 1, 31, 5, tzinfo=UTC)),
])
@override_settings(TIME_ZONE="America/New_York")
def test_lenient_datetimes(text, expected):
    assert parse_datetime(text, "start_date") == expected


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01T00:00:00Z", "2024-01-31T25:00:00Z", "31/01/2024"])
def test_bad_datetimes_name_the_field(text):
    with pytest.raises(Open311Error) as caught:
        parse_datetime(text, "end_date")
    assert caught.value.status == 400 and "end_date" in str(caught.value)


def test_query_string_datetimes_and_empty_parameters(client, post, city):
    post("json", **POTHOLE)
    for query in ["start_date=2020-01-01T00:00:00+00:00", "start_date=2020-01-01T00:00:00%2B00:00",
                  "start_date=2020-01-01T00:00:00.123Z", "start_date=2020-01-01T00:00:00",
                  "status=&service_code=&start_date=&end_date=&jurisdiction_id=&page=&page_size="]:
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, (query, response.content)
        assert len(json.loads(response.content)) == 1, query
    items = json.loads(client.get("/open311/v2/requests.json?status=OPEN").content)
    assert len(items) == 1  # case-insensitive status


def test_start_and_end_are_anded(client, post, city):
    post("json", **POTHOLE)
    response = client.get("/open311/v2/requests.json", {"start_date": "2000-01-01T00:00:00Z",
                                                        "end_date": "2000-01-02T00:00:00Z"})
    assert json.loads(response.content) == []
    assert client.get("/open311/v2/requests.json", {"start_date": "2001-01-01T00:00:00Z",
                                                    "end_date": "2000-01-01T00:00:00Z"}).status_code == 400


def test_attribute_keys_in_every_shape():
    from django.http import QueryDict

    data = QueryDict("attribute[a]=1&attribute[b][]=x&attribute[b][]=y&attribute[c]=p&attribute[c]=q"
                     "&attribute[d][][]=z&attribute[e]=&other=1")
    assert form_attributes(data) == {"a": ["1"], "b": ["x", "y"], "c": ["p", "q"], "d": ["z"], "e": []}


def test_single_jurisdiction_accepts_absent_empty_or_its_id(client, city):
    with override_settings(OPEN311_JURISDICTIONS=["riverbend.example"]):
        for query in ["", "?jurisdiction_id=", "?jurisdiction_id=riverbend.example",
                      "?jurisdiction_id=RIVERBEND.example"]:
            assert client.get(f"/open311/v2/services.xml{query}").status_code == 200, query
        assert client.get("/open311/v2/services.xml?jurisdiction_id=elsewhere.example").status_code == 404
    with override_settings(OPEN311_JURISDICTIONS=[]):
        assert client.get("/open311/v2/services.xml?jurisdiction_id=anything").status_code == 200


def test_several_jurisdictions_require_it_and_scope_by_agency(client, post, city):
    post("json", **POTHOLE)  # public works
    with override_settings(OPEN311_JURISDICTIONS=["riverbend.example", "parks.riverbend.example=parks"]):
        missing = client.get("/open311/v2/services.json")
        assert missing.status_code == 400 and b"jurisdiction_id" in missing.content
        assert client.get("/open311/v2/services.json?jurisdiction_id=x.example").status_code == 404
        parks = json.loads(client.get("/open311/v2/services.json?jurisdiction_id=parks.riverbend.example").content)
        assert {s["service_code"] for s in parks} == {
            s.code for s in city["services"].values() if s.agency.slug == "parks"}
        assert {s["service_code"] for s in parks} < {s["service_code"] for s in json.loads(
            client.get("/open311/v2/services.json?jurisdiction_id=riverbend.example").content)}
        assert json.loads(client.get("/open311/v2/requests.json?jurisdiction_id=parks.riverbend.example").content) == []
        assert client.get("/open311/v2/services/pothole.json?jurisdiction_id=parks.riverbend.example"
                          ).status_code == 404
