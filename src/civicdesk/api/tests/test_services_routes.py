"""Services through the API: the active catalogue for every staff member, inactive services only for their own
agencies (administrators see all), and internal details (the default team) only for their own agencies."""

import pytest

from civicdesk.testing.factories import create_service

from .conftest import api_client_for

pytestmark = pytest.mark.django_db


def codes(api, **params):
    response = api.get("/api/services", params)
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()]


def test_the_active_catalogue_and_own_inactive_services(world, works_api, parks_api):
    old = create_service(world.works, "old-potholes")
    old.is_active = False
    old.save()
    assert set(codes(works_api)) == {"pothole", "fallen-tree", "old-potholes"}
    assert set(codes(parks_api)) == {"pothole", "fallen-tree"}
    assert codes(works_api, agency="parks") == ["fallen-tree"]
    assert codes(works_api, active="false") == ["old-potholes"]
    assert set(codes(api_client_for(world.admin))) == {"pothole", "fallen-tree", "old-potholes"}
    assert parks_api.get("/api/services/old-potholes").status_code == 404
    assert works_api.get("/api/services/old-potholes").json()["active"] is False


def test_one_service_with_its_team_only_for_its_own_agency(world, works_api, parks_api):
    mine = works_api.get("/api/services/pothole").json()
    assert mine["name"] and mine["agency"] == "public-works" and mine["default_team"] == "Road crew"
    assert mine["location"] in ("required", "optional", "not_asked")
    assert parks_api.get("/api/services/pothole").json()["default_team"] is None
    assert works_api.get("/api/services/no-such-thing").status_code == 404


def test_services_need_authentication(client):
    assert client.get("/api/services").status_code == 401
