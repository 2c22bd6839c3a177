"""The public area lookup API: one point, many points, shared edges, generations and bad input."""

import json

import pytest

from civicdesk.gis.tests import fixtures as city
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db


def test_areas_at_point_lists_every_covering_area(client, wards):
    agency = create_agency("hole-crew")
    wards["Ward D"].agency = agency
    wards["Ward D"].save()
    x, y = city.HOLE_EDGE
    response = client.get("/api/areas", {"lat": y, "lon": x})
    assert response.status_code == 200
    data = response.json()
    assert [a["name"] for a in data["areas"]] == ["Ward D", "Ward A"]  # winner first
    first = data["areas"][0]
    assert first["type"] == "ward" and first["generation_low"] == data["generation"]
    assert first["agency"] == {"slug": "hole-crew", "name": "Hole Crew"}


def test_outside_and_bad_points(client, wards):
    x, y = city.OUTSIDE
    data = client.get("/api/areas", {"lat": y, "lon": x}).json()
    assert data["areas"] == [] and "outside" in data["questioned"]
    assert client.get("/api/areas", {"lat": "abc", "lon": 1}).status_code == 400
    response = client.get("/api/areas", {"lat": -75.0, "lon": 140.0})
    assert response.status_code == 200
    swapped = client.get("/api/areas", {"lat": 240.0, "lon": 40.0})
    assert swapped.status_code == 400 and "out of range" in swapped.json()["error"]
    assert client.get("/api/areas").status_code == 400


def test_lookup_many(client, wards):
    points = [{"lat": y, "lon": x} for x, y in city.SPECIAL_POINTS] + [{"lat": "x", "lon": 0}, "nonsense"]
    response = client.post("/api/areas/lookup", json.dumps({"points": points}), content_type="application/json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [[a["name"] for a in r.get("areas", [])] for r in results[:6]] == [
        ["Ward A", "Ward B"], ["Ward A", "Ward B", "Ward C"], ["Ward D"], ["Ward D", "Ward A"], ["Ward C"], []]
    assert "error" in results[6] and "error" in results[7]
    bad = client.post("/api/areas/lookup", b"not json", content_type="application/json")
    assert bad.status_code == 400


def test_type_filter_and_old_generation(client, wards):
    x, y = city.ISLAND
    assert client.get("/api/areas", {"lat": y, "lon": x, "type": "sanitation_zone"}).json()["areas"] == []
    generation = wards["Ward A"].generation_low_id
    data = client.get("/api/areas", {"lat": y, "lon": x, "generation": generation}).json()
    assert [a["name"] for a in data["areas"]] == ["Ward C"]
    assert client.get("/api/areas", {"lat": y, "lon": x, "generation": 999}).status_code == 404


def test_no_boundaries(client, db):
    assert client.get("/api/areas", {"lat": 40, "lon": -75}).json()["areas"] == []
