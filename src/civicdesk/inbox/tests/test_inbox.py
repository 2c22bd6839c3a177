"""The inbox list: filters, views (tabs), sorting, paging and the case-number jump."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases import actions
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [c.number for c in response.context["cases"]]


@pytest.fixture
def cases(world):
    a = create_case(service=world.pothole, subject="Pothole on Main Street", body="Deep hole near the bakery.",
                    email="ann@example.com")
    b = create_case(channel="email", service=world.pothole, subject="Broken streetlight", body="Dark at night.",
                    email="bob@example.com")
    c = create_case(service=world.tree, subject="Fallen oak", body="A tree blocks the path.", email="cy@example.com")
    actions.assign(b, actor=world.works_agent, assignee=world.works_agent, team=world.works_team)
    actions.change_status(b, actor=world.works_agent, status=CaseStatus.IN_PROGRESS)
    actions.set_priority(a, actor=world.works_agent, priority="urgent")
    Case.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=10))
    return {"a": a, "b": b, "c": c}


def test_inbox_lists_every_channel_with_all_columns(admin_client_, cases):
    response = admin_client_.get("/staff/")
    assert response.status_code == 200
    page = response.content.decode()
    for header in ["Number", "Subject", "Channel", "Status", "Priority", "Service", "Agency", "Assignee", "Contact",
                   "Created"]:
        assert f'<th scope="col">{header}</th>' in page
    assert "<caption" in page and "Email" in page and "Web portal" in page
    assert set(numbers(response)) == {cases["a"].number, cases["b"].number, cases["c"].number}
    assert 'hx-trigger="every 1s"' in page


@pytest.mark.parametrize("query, expected", [
    ("status=in_progress", ["b"]),
    ("channel=email", ["b"]),
    ("agency=parks", ["c"]),
    ("service=pothole", ["b", "a"]),
    ("q=bakery", ["a"]),
    ("q=trees", ["c"]),  # stemmed: "trees" finds "tree"
    ("q=streetlight+dark", ["b"]),
])
def test_filters(admin_client_, cases, query, expected):
    response = admin_client_.get(f"/staff/?{query}")
    assert numbers(response) == [cases[k].number for k in expected]


def test_team_assignee_and_date_filters(admin_client_, world, cases):
    assert numbers(admin_client_.get(f"/staff/?team={world.works_team.pk}")) == [cases["b"].number, cases["a"].number]
    assert numbers(admin_client_.get(f"/staff/?assignee={world.works_agent.pk}")) == [cases["b"].number]
    today = timezone.localdate()
    recent = numbers(admin_client_.get(f"/staff/?created_from={today - timedelta(days=2)}&created_to={today}"))
    assert sorted(recent) == sorted([cases["b"].number, cases["c"].number])
    old = numbers(admin_client_.get(f"/staff/?created_to={today - timedelta(days=5)}"))
    assert old == [cases["a"].number]


def test_bad_filter_values_are_reported_not_fatal(admin_client_, cases):
    response = admin_client_.get("/staff/?status=bogus&created_from=notadate&team=abc&page=-4&channel=email")
    assert response.status_code == 200
    assert numbers(response) == [cases["b"].number]  # the valid filter still applies
    assert "usa-error-message" in response.content.decode()


def test_reversed_dates_are_an_error(admin_client_, cases):
    response = admin_client_.get("/staff/?created_from=2026-05-02&created_to=2026-05-01")
    assert "on or after the start date" in response.content.decode()


def test_views_unassigned_mine_and_my_team(client, world, cases):
    client.force_login(world.works_agent)
    assert numbers(client.get("/staff/?view=mine")) == [cases["b"].number]
    assert numbers(client.get("/staff/?view=unassigned")) == [cases["a"].number]
    assert numbers(client.get("/staff/?view=my_team")) == [cases["b"].number, cases["a"].number]
    page = client.get("/staff/?view=mine").content.decode()
    assert 'aria-current="page">Mine <span class="cd-count" id="view-count-mine">1</span></a>' in page


def test_sorting(admin_client_, cases):
    a, b, c = cases["a"], cases["b"], cases["c"]
    assert numbers(admin_client_.get("/staff/?sort=newest")) == [c.number, b.number, a.number]
    assert numbers(admin_client_.get("/staff/?sort=oldest")) == [a.number, b.number, c.number]
    assert numbers(admin_client_.get("/staff/?sort=priority"))[0] == a.number
    actions.add_note(a, author=None, text="touch")
    assert numbers(admin_client_.get("/staff/?sort=updated"))[0] == a.number


def test_paging_with_the_total_and_numbered_pages(admin_client_, world):
    for i in range(53):
        create_case(service=world.tree, subject=f"Case {i}", email=f"p{i}@example.com")
    first = admin_client_.get("/staff/")
    page = first.context["page"]
    assert len(page.cases) == 50 and page.has_next and not page.has_previous and page.count == 53
    assert page.last_number == 2 and page.pager() == [1, 2]
    assert "Next page" in first.content.decode() and "Cases 1–50 of 53" in first.content.decode()
    second = admin_client_.get("/staff/?page=2")
    assert len(second.context["cases"]) == 3 and not second.context["page"].has_next
    assert second.context["page"].count == 53
    assert set(numbers(first)).isdisjoint(numbers(second))


def test_count_is_capped(admin_client_, world, monkeypatch):
    from civicdesk.cases import queries
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    for i in range(53):
        create_case(service=world.tree, subject=f"Case {i}", email=f"q{i}@example.com")
    response = admin_client_.get("/staff/")
    page = response.context["page"]
    assert page.count_capped and page.count == 50 and page.last_number is None
    body = response.content.decode()
    assert "Cases 1–50 of more than 50" in body and '<span class="cd-count" id="view-count-all">2+</span>' in body
    assert 'href="/staff/?page=last"' in body  # the last page is counted only when asked for
    last = admin_client_.get("/staff/?page=last")
    assert last.context["page"].number == 2 and len(last.context["cases"]) == 3
    assert not last.context["page"].count_capped and last.context["page"].count == 53


def test_typing_a_case_number_opens_the_case(admin_client_, parks_client, cases):
    number = cases["a"].number
    response = admin_client_.get(f"/staff/?q={number.lower()}")
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{number}/"
    # a Parks agent cannot see it: no jump, an empty result
    response = parks_client.get(f"/staff/?q={number}")
    assert response.status_code == 200 and numbers(response) == []
