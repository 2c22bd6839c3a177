"""GET /api/metrics: figures of the caller's agencies only, the same figures as CSV and XLSX, filters, and a clear
4xx for every bad parameter."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicdesk.api.tests.conftest import api_client_for
from civicdesk.cases.actions import change_status
from civicdesk.conversations import replies
from civicdesk.gis.tests.conftest import _fresh_index, wards  # noqa: F401  (fixtures)
from civicdesk.inbox.tests.conftest import World
from civicdesk.metrics.actions import catch_up
from civicdesk.metrics.exports import COLUMNS
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world: World):
    """Two Works cases (one answered and resolved) and one Parks case, folded into the figures."""
    answered = create_case(service=world.pothole, subject="Pothole", email="alice@example.com")
    replies.reply(answered, author=world.works_agent, text="On our list.")
    change_status(answered, actor=world.works_agent, status="resolved")
    create_case(service=world.pothole, subject="Another pothole", email="carol@example.com")
    create_case(service=world.tree, subject="Fallen tree", email="bob@example.com")
    catch_up()
    today = timezone.localdate()
    return {"from": str(today.replace(day=1)), "to": str(today)}


def test_an_agent_sees_only_their_agencys_figures(world: World, works_api, parks_api, counted) -> None:
    works = works_api.get("/api/metrics", {**counted, "group_by": "agency"}).json()
    assert [g["group"] for g in works["groups"]] == ["public-works"]
    (group,) = works["groups"]
    assert (group["created"], group["resolved"], group["reopened"], group["backlog"]) == (2, 1, 0, 1)
    assert group["first_response"]["n"] == 1 and group["first_response"]["median"] >= 0
    assert set(group["sla"]) == {"met", "breached", "compliance"}
    assert set(group["csat"]) == {"sent", "answered", "score"}
    parks = parks_api.get("/api/metrics", {**counted, "group_by": "service"}).json()
    assert [g["group"] for g in parks["groups"]] == ["fallen-tree"]
    assert parks_api.get("/api/metrics", {**counted, "agency": "public-works"}).json()["groups"] == []


def test_an_administrator_sees_every_agency_and_filters_narrow_to_the_same_figures(world: World, counted) -> None:
    boss = api_client_for(world.admin)
    everything = boss.get("/api/metrics", {**counted, "hours": "business"}).json()["groups"]
    assert sorted(g["group"] for g in everything) == ["parks", "public-works"]
    narrowed = boss.get("/api/metrics", {**counted, "hours": "business", "agency": "parks"}).json()["groups"]
    aged = [g.pop("backlog_age") for g in [*everything, *narrowed]]  # ages run on between the two calls
    assert narrowed == [g for g in everything if g["group"] == "parks"]
    assert all(age["n"] == 1 for age in aged)


def test_the_csv_and_xlsx_exports_hold_the_same_figures(world: World, works_api, counted) -> None:
    answer = works_api.get("/api/metrics", {**counted, "group_by": "team"}).json()["groups"]
    text = works_api.get("/api/metrics.csv", {**counted, "group_by": "team"})
    assert text["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.content.decode())))
    assert [row["group"] for row in rows] == [g["group"] for g in answer]
    assert [int(row["created"]) for row in rows] == [g["created"] for g in answer]
    same = works_api.get("/api/metrics", {**counted, "group_by": "team", "format": "csv"})
    ageless = [{k: v for k, v in row.items() if not k.startswith("backlog_age")} for row in rows]
    assert [{k: v for k, v in row.items() if not k.startswith("backlog_age")}
            for row in csv.DictReader(io.StringIO(same.content.decode()))] == ageless
    book = works_api.get("/api/metrics", {**counted, "group_by": "team", "format": "xlsx"})
    assert "attachment" in book["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(book.content)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == COLUMNS
    assert [r[COLUMNS.index("created")] for r in table[1:]] == [g["created"] for g in answer]
    assert [r[COLUMNS.index("first_response_mean")] for r in table[1:]] == [
        g["first_response"]["mean"] for g in answer]


@pytest.mark.parametrize("params, status", [
    ({}, 422),
    ({"from": "2026-13-01", "to": "2026-12-31"}, 422),
    ({"from": "2026-02-01", "to": "2026-01-01"}, 400),
    ({"from": "2000-01-01", "to": "2026-01-01"}, 400),
    ({"from": "2026-01-01", "to": "2026-01-31", "group_by": "planet"}, 422),
    ({"from": "2026-01-01", "to": "2026-01-31", "hours": "lunar"}, 422),
    ({"from": "2026-01-01", "to": "2026-01-31", "format": "pdf"}, 422),
    ({"from": "2026-01-01", "to": "2026-01-31", "channel": "pigeon"}, 400),
    ({"from": "2026-01-01", "to": "2026-01-31", "status": "lost"}, 400),
    ({"from": "2026-01-01", "to": "2026-01-31", "team": "0"}, 422),
    ({"from": "0001-01-01", "to": "9999-12-31"}, 422),
])
def test_bad_parameters_are_a_clear_4xx(works_api, params, status) -> None:
    answer = works_api.get("/api/metrics", params)
    assert answer.status_code == status
    assert answer.json()["detail"]


def test_the_metrics_are_in_the_openapi_document(works_api) -> None:
    paths = works_api.get("/api/openapi.json").json()["paths"]
    assert {"/api/metrics", "/api/metrics.csv", "/api/metrics.xlsx"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/metrics"]["get"]["parameters"]}
    assert {"from", "to", "group_by", "hours", "format", "agency", "service", "channel"} <= parameters


def test_a_text_search_narrows_the_figures_too(world: World, works_api, counted) -> None:
    found = works_api.get("/api/metrics", {**counted, "q": "pothole", "group_by": "service"})
    assert found.status_code == 200
    assert [(g["group"], g["created"]) for g in found.json()["groups"]] == [("pothole", 2)]


def test_figures_by_area_count_each_case_in_the_ward_that_holds_its_point(world: World, works_api,
                                                                          wards) -> None:  # noqa: F811
    """group_by=area: the ward of DASHBOARD_AREA_TYPE holding the case's point, its id as the key ("" for none)."""
    create_case(service=world.pothole, subject="In ward B", email="b1@example.com", lat=40.005, lon=-74.985)
    create_case(service=world.pothole, subject="In ward B too", email="b2@example.com", lat=40.002, lon=-74.982)
    create_case(service=world.pothole, subject="In ward A", email="a1@example.com", lat=40.001, lon=-74.999)
    create_case(service=world.pothole, subject="Nowhere", email="n1@example.com")
    catch_up()
    today = timezone.localdate()
    answer = works_api.get("/api/metrics", {"from": str(today.replace(day=1)), "to": str(today),
                                            "group_by": "area"})
    assert answer.status_code == 200
    created = {g["name"]: (g["group"], g["created"]) for g in answer.json()["groups"]}
    assert created == {"Ward B": (str(wards["Ward B"].pk), 2), "Ward A": (str(wards["Ward A"].pk), 1),
                       "No area": ("", 1)}
