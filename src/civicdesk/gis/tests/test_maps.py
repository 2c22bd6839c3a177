"""Map pages and GeoJSON layers: filters, no personal data in public, agency scoping, aggregation, hotspots."""

import re

import numpy as np
import pytest

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.actions import change_status
from civicdesk.cases.models import CaseStatus
from civicdesk.gis import mapdata
from civicdesk.gis.cells import CELL_DEGREES
from civicdesk.gis.hotspots import fdr_mask, gi_star, hotspots
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(wards):
    works = create_agency("public-works")
    parks = create_agency("parks")
    pothole = create_service(works, "pothole")
    tree = create_service(parks, "tree")
    made = [create_case(service=pothole, lat=40.002 + i * 0.0005, lon=-74.998, email=f"r{i}@example.com")
            for i in range(4)]
    made.append(create_case(service=tree, lat=40.005, lon=-74.985, email="tree@example.com"))
    change_status(made[0], actor=None, status=CaseStatus.CLOSED)
    return {"works": works, "parks": parks, "cases": made}


def test_public_map_page_and_layer(client, cases):
    page = client.get("/map/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="gis-map"' in html
    inline = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html.replace('type="application/json"', "src"))
    assert not inline, "inline script"
    assert " style=" not in html
    data = client.get("/gis/cases.geojson", {"status": "open"}).json()
    assert data["properties"]["count"] == 4
    text = str(data)
    assert "@example.com" not in text
    assert all(f["properties"]["url"].startswith("/requests/") for f in data["features"])  # public ids, not staff
    tree = client.get("/gis/cases.geojson", {"service": "tree"}).json()
    assert [f["properties"]["service"] for f in tree["features"]] == ["Tree"]
    boxed = client.get("/gis/cases.geojson", {"bbox": "-74.99,40.0,-74.98,40.01"}).json()
    assert boxed["properties"]["count"] == 1
    assert client.get("/gis/cases.geojson", {"bbox": "1,2,3"}).status_code == 400
    assert client.get("/gis/cases.geojson", {"status": "bogus"}).status_code == 400
    areas = client.get("/gis/areas.geojson").json()
    assert {f["properties"]["name"] for f in areas["features"]} == {"Ward A", "Ward B", "Ward C", "Ward D"}


def test_aggregates_past_the_point_limit(client, cases, monkeypatch):
    monkeypatch.setattr(mapdata, "MAX_POINTS", 2)
    data = client.get("/gis/cases.geojson").json()
    assert data["properties"]["aggregated"] and sum(f["properties"]["count"] for f in data["features"]) == 5
    assert data["properties"]["base_cell"] == CELL_DEGREES  # the heat layer sizes its blur from the larger cell


def test_staff_map_is_scoped(client, cases):
    assert client.get("/staff/map/").status_code == 302
    parks_agent = create_staff("parkie", agencies=[cases["parks"]])
    client.force_login(parks_agent)
    assert client.get("/staff/map/").status_code == 200
    data = client.get("/staff/map/cases.geojson").json()
    assert [f["properties"]["service"] for f in data["features"]] == ["Tree"]
    assert data["features"][0]["properties"]["url"].startswith("/staff/cases/")
    admin = create_staff("boss", role=StaffRole.ADMIN)
    staff_login(client, admin)
    assert client.get("/staff/map/cases.geojson", {"agency": "public-works"}).json()["properties"]["count"] == 4
    hot = client.get("/staff/map/hotspots.geojson")
    assert hot.status_code == 200 and hot.json()["type"] == "FeatureCollection"


def test_gi_star_finds_a_planted_cluster():
    rng = np.random.default_rng(1)
    counts = rng.poisson(2, size=(40, 40)).astype(float)
    counts[18:22, 18:22] += 25
    result = hotspots(counts)
    assert (result.level[18:22, 18:22] == 3).all()
    assert result.significant.sum() < 60  # FDR keeps the noise out
    z, p = gi_star(np.ones((5, 5)))
    assert (z == 0).all() and (p == 1).all()


def test_benjamini_hochberg():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert fdr_mask(p, 0.05).tolist() == [True, True] + [False] * 8


def test_likely_duplicates_fragment_and_merge(client, cases):
    from django.template import Context, Template

    admin = create_staff("boss", role=StaffRole.ADMIN)
    staff_login(client, admin)
    case, other = cases["cases"][1], cases["cases"][2]
    html = Template("{% load gis_maps %}{% likely_duplicates_for case %}").render(
        Context({"case": case, "can_act": True}))
    assert other.number in html and f"Merge {case.number} into {other.number}" in html
    response = client.post(f"/staff/duplicates/{case.number}/merge-into/{other.number}/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.merged_into == other
    agent = create_staff("parkie", agencies=[cases["parks"]])
    client.force_login(agent)
    third = cases["cases"][3]
    assert client.post(f"/staff/duplicates/{third.number}/merge-into/{other.number}/").status_code == 404
