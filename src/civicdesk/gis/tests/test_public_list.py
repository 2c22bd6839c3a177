"""Issue 9 item 6 on the public map: its list follows the filters with human dates, its status filter has one
"Open", and its points are approximate, so no narrowing box finds where a resident stood."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.actions import change_status
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.gis.models import CaseLocation
from civicdesk.gis.public import approximate_point
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    works = create_agency("public-works")
    pothole, graffiti = create_service(works, "pothole"), create_service(works, "graffiti")
    old = create_case(service=pothole, lat=40.0012, lon=-75.0007)
    new = create_case(service=pothole, lat=40.0031, lon=-75.0021)
    tag = create_case(service=graffiti, lat=40.0044, lon=-75.0033)
    done = create_case(service=pothole, lat=40.0051, lon=-75.0041)
    change_status(done, actor=None, status=CaseStatus.RESOLVED)
    when = timezone.now() - timedelta(days=3)
    Case.objects.filter(pk=old.pk).update(created_at=when)
    CaseLocation.objects.filter(case_id=old.pk).update(created_at=when)
    return {"old": old, "new": new, "tag": tag, "done": done}


def numbers(html):
    return set(re.findall(r"CD-\d{4}-\d{6}", html))


def test_the_list_follows_the_service_status_and_date_filters(client, city):
    page = client.get("/map/").content.decode()
    assert numbers(page) == {city[k].number for k in ("old", "new", "tag")}  # open ones by default
    assert f'href="/requests/{city["new"].public_id}/"' in page
    assert numbers(client.get("/map/requests", {"service": "pothole"}).content.decode()) == {
        city["old"].number, city["new"].number}
    assert numbers(client.get("/map/requests", {"status": "resolved"}).content.decode()) == {city["done"].number}
    today = timezone.localdate()
    recent = client.get("/map/requests", {"from": (today - timedelta(days=1)).isoformat()}).content.decode()
    assert numbers(recent) == {city["new"].number, city["tag"].number}
    older = client.get("/map/", {"to": (today - timedelta(days=2)).isoformat()}).content.decode()
    assert numbers(older) == {city["old"].number}
    bad = client.get("/map/requests", {"from": "yesterday"})
    assert bad.status_code == 400 and "must be a date" in bad.content.decode()


def test_list_dates_are_human_with_the_full_date_on_the_time_element(client, city):
    html = client.get("/map/requests").content.decode()
    assert re.search(r'<time datetime="[^"]+" title="[^"]*\d{4}[^"]*">3\sdays ago</time>', html)  # a no-break space


def test_the_status_filter_has_one_open_option(client, city):
    html = client.get("/map/").content.decode()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html.split('id="filter-status"')[1]
                         .split("</select>")[0])
    values = [v for v, _ in options]
    assert values.count("open") == 1 and len(values) == len(set(values))
    assert [label for _, label in options if label.startswith("Open")] == ["Open (not resolved or closed)"]
    assert "Received" in [label for _, label in options]  # residents' words for "new"
    assert 'id="filter-from"' in html and 'id="filter-to"' in html


def test_public_points_are_approximate_and_a_narrowing_box_never_finds_the_exact_point(client, city):
    case = city["new"]
    lat, lon = approximate_point(case.lat, case.lon)
    [feature] = [f for f in client.get("/gis/cases.geojson").json()["features"]
                 if f["properties"]["number"] == case.number]
    assert feature["geometry"]["coordinates"] == [lon, lat] != [case.lon, case.lat]
    tiny = f"{case.lon - 1e-5},{case.lat - 1e-5},{case.lon + 1e-5},{case.lat + 1e-5}"  # around the exact point
    assert client.get("/gis/cases.geojson", {"bbox": tiny}).json()["features"] == []
    staff_like = client.get("/gis/cases.geojson").json()
    assert all(f["properties"]["url"].startswith("/requests/") for f in staff_like["features"])
