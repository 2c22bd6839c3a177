"""Issue 13 item 6: the live queue and the trends. Every count equals the count of the inbox page it links to;
another agency's supervisor sees none of yours; agents get the live queue but not the trends; bad parameters are a
400; the queries do not grow with the cases, agencies or agents."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.dashboards.live import live_queue
from civicdesk.dashboards.tests.helpers import build_desk, target, ward_point
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.lookup import invalidate
from civicdesk.metrics.actions import catch_up as catch_up_figures
from civicdesk.testing.factories import create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db
LIVE = "/staff/dashboard/"
TRENDS = "/staff/dashboard/trends/"


def inbox_count(client: Any, url: str) -> int:
    assert url.startswith("/staff/?") or url == "/staff/"
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.errors, form.errors  # every parameter of the link is one the inbox understands
    return response.context["page"].count


def test_each_live_figure_is_the_count_of_the_inbox_page_it_links_to(client: Any) -> None:
    desk = build_desk(2)
    staff_login(client, desk["sup_works"])
    queue = live_queue(desk["sup_works"])
    totals = {name: cell.count for name, cell in queue.total.cells.items()}
    # the works agency: 8 open (2 unassigned, 2 assigned, 2 soon, 2 late); resolved cases are not open
    assert totals == {"open": 8, "unassigned": 6, "breaching_soon": 2, "breached": 2}
    for row in [queue.total, *queue.rows]:
        for name, cell in row.cells.items():
            assert inbox_count(client, cell.url) == cell.count, (name, cell.url)
    assert [row.agency.slug for row in queue.rows] == ["works"]
    assert queue.loads is not None
    for load in queue.loads:
        from civicdesk.dashboards.live import load_url

        assert inbox_count(client, load_url(load)) == load.open_cases
    agent_load = next(load for load in queue.loads if load.user == desk["agent"])
    assert agent_load.open_cases == 2
    assert inbox_count(client, queue.waiting_url) == len(queue.waiting) == 6
    assert queue.waiting == sorted(queue.waiting, key=lambda case: (case.created_at, case.pk))


def test_the_live_page_shows_the_figures_as_links_and_its_panel_polls(client: Any) -> None:
    desk = build_desk()
    staff_login(client, desk["sup_works"])
    page = client.get(LIVE).content.decode()
    assert 'hx-get="/staff/dashboard/live/"' in page and 'hx-trigger="every 10s"' in page
    assert 'href="/staff/?status_group=open&amp;view=unassigned"' in page
    assert 'href="/staff/?view=breaching_soon"' in page
    panel = client.get("/staff/dashboard/live/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and b"<html" not in panel.content and b'id="live-panel"' in panel.content


def test_another_agencys_supervisor_sees_none_of_your_cases(client: Any) -> None:
    desk = build_desk(2)
    queue = live_queue(desk["sup_parks"])
    assert [row.agency.slug for row in queue.rows] == ["parks"]
    assert {name: cell.count for name, cell in queue.total.cells.items()} == {
        "open": 2, "unassigned": 2, "breaching_soon": 0, "breached": 2}
    assert {case.agency.slug for case in queue.waiting} == {"parks"}
    assert queue.loads is not None and desk["agent"] not in [load.user for load in queue.loads]
    staff_login(client, desk["sup_parks"])
    page = client.get(LIVE).content.decode()
    assert "Public Works" not in page and desk["unassigned"][0].number not in page
    trends = client.get(TRENDS)
    assert trends.status_code == 200
    assert "Public Works" not in trends.content.decode()


def test_an_agent_sees_the_live_queue_of_their_agency_but_not_the_loads_nor_the_trends(client: Any) -> None:
    desk = build_desk()
    staff_login(client, desk["agent"])
    page = client.get(LIVE)
    assert page.status_code == 200
    assert page.context["loads"] is None and b"Agents&#x27; load" not in page.content
    assert b'href="/staff/dashboard/trends/"' not in page.content
    assert client.get(TRENDS).status_code == 403


def test_the_dashboards_ask_for_a_sign_in(client: Any) -> None:
    for url in (LIVE, TRENDS, "/staff/dashboard/live/"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]


@pytest.mark.parametrize("query", ["period=year", "group_by=agent", "group_by=", "hours=weekly", "foo=1",
                                   "period=month&period=week&x=%00", "group_by=%00", "hours=" + "b" * 5000])
def test_bad_trend_parameters_answer_400(client: Any, query: str) -> None:
    desk = build_desk()
    staff_login(client, desk["sup_works"])
    response = client.get(f"{TRENDS}?{query}")
    assert response.status_code == (200 if query == "group_by=" else 400)


def test_an_unknown_parameter_on_the_live_pages_answers_400(client: Any) -> None:
    desk = build_desk()
    staff_login(client, desk["sup_works"])
    assert client.get(f"{LIVE}?period=week").status_code == 400
    assert client.get("/staff/dashboard/live/?x=1").status_code == 400


def test_trends_count_the_cases_created_each_period_and_link_to_the_same_cases(client: Any) -> None:
    desk = build_desk(2)
    catch_up_figures()
    staff_login(client, desk["sup_works"])
    for period in ("month", "week"):
        for group_by in ("agency", "service", "channel", "team"):
            response = client.get(TRENDS, {"period": period, "group_by": group_by, "hours": "calendar"})
            assert response.status_code == 200
            result = response.context["result"]
            assert len(result.spans) == 12 and result.spans[-1].end == timezone.localdate()
            total = 0
            for row in result.rows:
                for figures, url in zip(row.figures, row.created_urls, strict=True):
                    if figures and figures.created and url:
                        assert inbox_count(client, url) == figures.created, (group_by, url)
                total += row.created_total
            assert total == 10  # the works agency's cases, all created today
    response = client.get(TRENDS, {"group_by": "agency"})
    row = response.context["result"].rows[0]
    assert row.key == "works" and row.figures[-1].sla.breached == 2
    query = parse_qs(urlsplit(row.missed_urls[-1]).query)
    assert query["sla"] == ["breached"] and query["agency"] == ["works"]
    assert inbox_count(client, row.missed_urls[-1]) == 2
    assert b"data-trend-chart=\"created\"" in response.content and b"<caption>" in response.content


def test_trends_by_area_count_each_wards_cases_with_their_targets_and_link_to_the_same_cases(client: Any) -> None:
    seed_boundaries()
    invalidate()
    desk = build_desk(3, where=ward_point("Ward 2"))  # per round: an unassigned and a late case in Ward 2
    moved = desk["late"][0]
    lat, lon = ward_point("Ward 5")
    Case.objects.filter(pk=moved.pk).update(lat=lat, lon=lon)
    catch_up_figures()
    staff_login(client, desk["sup_works"])
    response = client.get(TRENDS, {"period": "week", "group_by": "area", "hours": "calendar"})
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["result"].rows}
    assert {name: row.created_total for name, row in rows.items()} == {"Ward 2": 5, "Ward 5": 1, "No area": 9}
    assert rows["Ward 2"].figures[-1].sla.breached == 2 and rows["Ward 5"].figures[-1].sla.breached == 1
    for name in ("Ward 2", "Ward 5"):
        assert inbox_count(client, rows[name].created_urls[-1]) == rows[name].figures[-1].created, name
        assert inbox_count(client, rows[name].missed_urls[-1]) == rows[name].figures[-1].sla.breached, name
    assert rows["No area"].url == "" and rows["No area"].created_urls[-1] == ""  # no filter for "nowhere"
    assert b'<option value="area" selected' in response.content


def test_when_the_area_type_changes_the_next_catch_up_places_every_case_again(settings: Any) -> None:
    from civicdesk.gis.models import Area
    from civicdesk.metrics.models import CaseArea, MetricEvent

    seed_boundaries()
    invalidate()
    case = build_desk(1, where=ward_point("Ward 2"))["unassigned"][0]
    catch_up_figures()
    ward = Area.objects.get(type__slug="ward", name="Ward 2").pk
    assert CaseArea.objects.get(case=case).area_id == ward
    assert set(MetricEvent.objects.filter(case=case).values_list("area_id", flat=True)) == {ward}
    settings.DASHBOARD_AREA_TYPE = "city"  # nothing about the case changed: only what its area means
    catch_up_figures()
    city = Area.objects.get(type__slug="city").pk
    assert CaseArea.objects.get(case=case).area_id == city
    assert set(MetricEvent.objects.filter(case=case).values_list("area_id", flat=True)) == {city}


def test_the_map_counts_the_cases_that_missed_a_target_in_each_ward(client: Any) -> None:
    seed_boundaries()
    invalidate()
    desk = build_desk(3, where=ward_point("Ward 2"))
    late_elsewhere = Case.objects.get(pk=desk["late"][0].pk)
    lat, lon = ward_point("Ward 5")
    Case.objects.filter(pk=late_elsewhere.pk).update(lat=lat, lon=lon)
    staff_login(client, desk["sup_works"])
    missed = client.get(TRENDS).context["missed"]
    counts = {area.name: area.count for area in missed.areas}
    assert counts["Ward 2"] == 2 and counts["Ward 5"] == 1 and sum(counts.values()) == 3
    assert missed.areas[0].name == "Ward 2"
    assert missed.unlocated == 0 and len(missed.points) == 3  # the parks agency's case is another supervisor's
    for area in missed.areas:  # each area's count opens exactly its cases in the inbox
        assert inbox_count(client, area.url) == area.count, area.name
    ward2 = next(area for area in missed.areas if area.name == "Ward 2")
    page = client.get(ward2.url)
    assert "Only the cases in Ward 2." in page.content.decode()
    assert {c.pk for c in page.context["cases"]} == {c.pk for c in desk["late"][1:]}
    unknown = client.get("/staff/?area=999999")
    assert unknown.status_code == 200 and "no such area" in unknown.content.decode()
    assert unknown.context["page"].count == client.get("/staff/").context["page"].count  # the bad filter is ignored


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboards_queries_do_not_grow_with_cases_agents_or_agencies(client: Any) -> None:
    desk = build_desk(1)
    admin = create_staff("admin.dash", role="admin")
    catch_up_figures()
    staff_login(client, admin)
    few = (_queries(client, LIVE), _queries(client, TRENDS))
    more = build_desk_more(desk)
    catch_up_figures()
    many = (_queries(client, LIVE), _queries(client, TRENDS))
    assert many == few, (few, many, more)


def build_desk_more(desk: dict[str, Any]) -> int:
    """More cases, agents and agencies than before."""
    from civicdesk.testing.factories import create_agency, create_case, create_service

    for n in range(3):
        agency = create_agency(f"extra{n}", f"Extra {n}")
        service = create_service(agency, f"extra{n}")
        agent = create_staff(f"extra.agent{n}", agencies=[agency, desk["works"]])
        for _ in range(3):
            case = create_case(service=service)
            Case.objects.filter(pk=case.pk).update(assignee=agent)
            target(case, breached=True)
    return 9


def test_the_live_page_stays_within_a_fixed_number_of_queries(client: Any,
                                                              django_assert_max_num_queries: Any) -> None:
    desk = build_desk(3)
    staff_login(client, desk["sup_works"])
    client.get(LIVE)
    with django_assert_max_num_queries(30):
        client.get(LIVE)
    with django_assert_max_num_queries(20):
        client.get(reverse("dashboards:live-panel"))


def test_the_inbox_filters_open_or_finished_cases_and_keeps_the_filter_in_its_links(client: Any) -> None:
    desk = build_desk(2)
    staff_login(client, desk["sup_works"])
    assert inbox_count(client, "/staff/?status_group=open") == 8
    assert inbox_count(client, "/staff/?status_group=closed") == 2
    assert inbox_count(client, "/staff/") == 10
    response = client.get("/staff/?status_group=sideways")
    assert response.status_code == 200 and response.context["page"].count == 10  # reported, then ignored
    assert "status_group" in response.context["form"].errors
    kept = client.get("/staff/?status_group=closed").context["filter_params"]
    assert kept["status_group"] == "closed"
