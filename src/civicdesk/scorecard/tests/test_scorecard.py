"""Issue 13 item 9: the public scorecard per agency and service, from the metrics' own definitions, in English and
Spanish, as pages, CSV and JSON, with no personal data and no figure over too few cases."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import CaseStatus
from civicdesk.metrics.actions import rebuild_all
from civicdesk.metrics.tests.timelines import Timeline
from civicdesk.scorecard.actions import refresh
from civicdesk.scorecard.models import PublishedFigures
from civicdesk.scorecard.templatetags.scorecard_tags import duration
from civicdesk.testing.factories import create_agency, create_service

pytestmark = pytest.mark.django_db
HOUR = 3600


@pytest.fixture
def city(settings: Any) -> dict[str, Any]:
    """Six pothole requests this month at Public Works, each answered in 2 h and resolved in 2 days; one request
    at Parks (too few for a median)."""
    settings.SCORECARD_MIN_COUNT = 5
    works, parks = create_agency("works", name="Public Works"), create_agency("parks", name="Parks")
    pothole = create_service(works, "pothole")
    bench = create_service(parks, "bench")
    start = timezone.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    for n in range(6):
        created = start + timedelta(hours=n)
        (Timeline(works, created, service=pothole, subject="Pothole at 9 Oak Lane")
         .acknowledgement(created + timedelta(minutes=1)).reply(created + timedelta(hours=2))
         .status(created + timedelta(days=2), CaseStatus.RESOLVED))
    Timeline(parks, start, service=bench).reply(start + timedelta(hours=5))
    rebuild_all()
    refresh()
    return {"works": works, "parks": parks, "pothole": pothole}


def test_durations_read_as_words() -> None:
    assert duration(None) == "Not enough cases"
    assert duration(120) == "2 minutes"
    assert duration(2 * HOUR) == "2 hours"
    assert duration(2 * 86400) == "2 days"
    assert duration(1.5 * 86400) == "1.5 days"


def test_the_city_page_shows_each_agency_and_withholds_a_median_over_too_few_cases(city: dict[str, Any],
                                                                                  client: Client) -> None:
    html = client.get("/scorecard/").content.decode()
    assert "Public Works" in html and "Parks" in html
    assert "2 hours" in html and "2 days" in html  # first response (the acknowledgement does not count)
    assert "Not enough cases" in html  # Parks: one case
    assert "Oak Lane" not in html
    assert '/scorecard/works/' in html


def test_the_agency_page_has_its_services_and_twelve_months(city: dict[str, Any], client: Client) -> None:
    html = client.get("/scorecard/works/").content.decode()
    assert "/scorecard/works/pothole/" in html
    assert html.count('data-label="Month"') == 12
    assert "6 requests in the last twelve months" in html
    assert client.get("/scorecard/works/pothole/").status_code == 200


def test_csv_and_json_carry_the_same_figures(city: dict[str, Any], client: Client) -> None:
    data = client.get("/scorecard/scorecard.json").json()
    works = next(r for r in data["last_12_months"] if r["agency"] == "works")
    assert works["created"] == 6 and works["first_response_median"] == 2 * HOUR
    assert works["resolution_median"] == 2 * 86400
    parks = next(r for r in data["last_12_months"] if r["agency"] == "parks")
    assert parks["first_response_median"] is None
    rows = list(csv.DictReader(io.StringIO(client.get("/scorecard/works.csv").content.decode())))
    assert [r["service"] for r in rows if r["period"] == "last_12_months"] == ["pothole"]
    assert sum(1 for r in rows if r["period"] != "last_12_months") == 12
    by_month = client.get("/scorecard/works/pothole.json").json()["by_month"]
    assert sum(m["created"] for m in by_month) == 6


def test_a_finished_month_is_kept_and_the_current_one_refreshed(city: dict[str, Any]) -> None:
    rows = PublishedFigures.objects.count()
    assert rows == 2 * 13  # twelve months and the year, by agency and by service
    assert refresh() == 2 * 2  # the current month and the year, for each grouping


@pytest.mark.parametrize("path", ["/scorecard/nowhere/", "/scorecard/works/nothing/", "/scorecard/nowhere.json",
                                  "/scorecard/works/nothing.csv"])
def test_an_unknown_agency_or_service_is_a_404(city: dict[str, Any], client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_spanish_scorecard_speaks_spanish(city: dict[str, Any], client: Client) -> None:
    html = client.get("/scorecard/works/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cómo lo estamos haciendo" in html or "Cómo le va" in html
