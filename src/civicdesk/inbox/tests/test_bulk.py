"""Bulk actions of the inbox: each selected case changed through its own action and audited, refused rows listed
with the reason in plain words, agency scoping per row, the list drawn again with the same filters, flat queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions, transfers
from civicdesk.cases.models import Case, CaseStatus, Priority
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/staff/"}


def potholes(world, n: int, **kwargs) -> list[Case]:
    return [create_case(service=world.pothole, subject=f"Pothole {i}", email=f"r{i}@example.com", **kwargs)
            for i in range(n)]


def bulk(client, cases, *, htmx: bool = True, back: str = "", **data):
    numbers = [c if isinstance(c, str) else c.number for c in cases]
    return client.post("/staff/bulk/", {"cases": numbers, "back": back, **data}, **(HTMX if htmx else {}))


def fresh(case: Case) -> Case:
    return Case.objects.select_related("assignee", "team").prefetch_related("tags").get(pk=case.pk)


def test_assigning_many_cases_audits_each_one_as_the_case_page_does(world, works_client):
    cases = potholes(world, 3)
    response = bulk(works_client, cases, action="assign", assignee=world.works_agent2.pk, team="keep")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Assignment saved on 3 cases." in body and 'id="bulk-result" hx-swap-oob="innerHTML"' in body
    for case in cases:
        case = fresh(case)
        assert case.assignee == world.works_agent2 and case.team == world.works_team  # the team kept
        assert case.status == CaseStatus.OPEN  # as a single assignment opens a new case
        entry = AuditEntry.objects.get(case=case, action=AuditAction.ASSIGNED)
        assert entry.actor == world.works_agent and entry.after == {"assignee": world.works_agent2.pk,
                                                                    "team": world.works_team.pk}


def test_status_priority_and_tags_in_bulk(world, works_client):
    cases = potholes(world, 2)
    assert bulk(works_client, cases, action="status", status="in_progress").status_code == 200
    assert bulk(works_client, cases, action="priority", priority="urgent").status_code == 200
    response = bulk(works_client, cases, action="add_tag", tag="  Lane Blocked ")
    assert "Tag “lane-blocked” added to 2 cases." in response.content.decode()
    actions.change_tag(cases[0], actor=world.works_agent, tag=fresh(cases[0]).tags.get(), present=False)
    response = bulk(works_client, cases, action="add_tag", tag="lane blocked")
    assert "Tag “lane-blocked” added to 1 case. 1 selected case needed no change." in response.content.decode()
    for case in cases:
        case = fresh(case)
        assert (case.status, case.priority) == (CaseStatus.IN_PROGRESS, Priority.URGENT)
        assert [t.name for t in case.tags.all()] == ["lane-blocked"]
        status_entries = AuditEntry.objects.filter(case=case, action=AuditAction.STATUS_CHANGED)
        assert [e.actor for e in status_entries] == [world.works_agent]
        assert AuditEntry.objects.filter(case=case, action=AuditAction.PRIORITY_CHANGED).count() == 1
    tagged = AuditEntry.objects.filter(case=cases[1], action=AuditAction.TAGS_CHANGED).get()
    assert tagged.before == {"tags": []} and tagged.after == {"tags": ["lane-blocked"]}
    response = bulk(works_client, cases, action="remove_tag", tag="LANE BLOCKED")
    assert "Tag “lane-blocked” removed from 2 cases." in response.content.decode()
    assert not fresh(cases[0]).tags.exists() and not fresh(cases[1]).tags.exists()


def test_merging_the_selected_cases_into_the_one_chosen(world, works_client):
    keep, *dups = potholes(world, 3)
    response = bulk(works_client, [*dups, keep], action="merge", survivor=keep.number.lower())
    assert "2 cases merged into" in response.content.decode()
    for dup in dups:
        dup.refresh_from_db()
        assert dup.merged_into_id == keep.pk and dup.status == CaseStatus.CLOSED
    assert AuditEntry.objects.filter(case=keep, action=AuditAction.MERGED).count() == 2


def test_refused_rows_are_listed_with_the_reason_and_the_others_succeed(world, works_client):
    ok, merged, survivor = potholes(world, 3)
    actions.merge_cases(merged, survivor, actor=world.works_agent)
    moved = create_case(service=world.pothole, subject="Moved", email="m@example.com")
    transfers.transfer(moved, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    parks_only = create_case(service=world.tree, subject="Parks only", email="p@example.com")
    started = potholes(world, 1)[0]
    actions.change_status(started, actor=world.works_agent, status=CaseStatus.OPEN)

    response = bulk(works_client, [ok, merged, moved, parks_only, "NOPE-1"], action="priority", priority="high")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Priority set to High on 1 case." in body and "4 cases were not changed:" in body
    assert f"was merged into {survivor.number} and is read-only" in body
    assert "Read only: it now belongs to Parks and Recreation, so you can read it but not change it." in body
    assert body.count("There is no such case that you can see.") == 2  # another agency's case is not revealed
    assert "Parks only" not in body
    assert fresh(ok).priority == Priority.HIGH
    for untouched in (merged, moved, parks_only):
        assert fresh(untouched).priority == Priority.NORMAL
    assert not AuditEntry.objects.filter(action=AuditAction.PRIORITY_CHANGED).exclude(case=ok).exists()
    # the refused rows stay ticked for another try; the changed one does not
    assert f'value="{moved.number}" form="bulk-form" id="select-{moved.number}" checked' not in body  # not listed
    assert f'value="{ok.number}" form="bulk-form" id="select-{ok.number}">' in body

    response = bulk(works_client, [started, ok], action="status", status="new")
    body = response.content.decode()
    assert "A case cannot go back to New once someone has worked on it." in body
    assert "1 selected case needed no change." in body  # ok is still new
    assert f'id="select-{started.number}" checked' in body  # refused: still ticked for another try
    assert fresh(started).status == CaseStatus.OPEN


def test_assignment_is_checked_against_each_case_agency(world, works_client):
    supervisor_client = works_client
    works = potholes(world, 1)[0]
    parks = create_case(service=world.tree, subject="Tree", email="t@example.com")
    actions.assign(parks, actor=world.admin, assignee=world.works_agent)  # Wanda may act on it: it is hers
    response = bulk(supervisor_client, [works, parks], action="assign", assignee=world.works_agent2.pk,
                    team=world.works_team.pk)
    body = response.content.decode()
    assert "Assignment saved on 1 case." in body
    assert "walt is not on the staff of Parks and Recreation." in body
    assert fresh(parks).assignee == world.works_agent and fresh(works).assignee == world.works_agent2


def test_a_staff_member_or_team_outside_the_choices_is_a_400(world, works_client, parks_client):
    case = potholes(world, 1)[0]
    response = bulk(parks_client, [case], action="assign", assignee=world.works_agent2.pk, team="keep")
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    for data in ({"action": "assign", "assignee": "keep", "team": "keep"}, {"action": "status"},
                 {"action": "explode"}, {"action": "merge", "survivor": case.number},
                 {"action": "add_tag", "tag": " "}):
        assert bulk(works_client, [case], **data).status_code == 400, data
    assert bulk(works_client, [], action="status", status="open").status_code == 400
    assert bulk(works_client, [f"N{i}" for i in range(101)], action="status", status="open").status_code == 400
    assert fresh(case).assignee is None and fresh(case).status == CaseStatus.NEW


def test_merging_into_a_case_the_user_may_not_change_refuses_every_row(world, works_client):
    dup = potholes(world, 1)[0]
    moved = create_case(service=world.pothole, subject="Moved", email="m@example.com")
    transfers.transfer(moved, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    body = bulk(works_client, [dup, moved], action="merge", survivor=moved.number).content.decode()
    assert f"The case to keep, {moved.number}, is not one you can change." in body
    dup.refresh_from_db()
    assert dup.merged_into_id is None


def test_the_list_is_drawn_again_with_the_same_filters(world, works_client):
    cases = potholes(world, 3)
    actions.assign(cases[0], actor=world.admin, assignee=world.works_agent)
    response = bulk(works_client, cases[1:2], action="assign", assignee=world.works_agent.pk, team="keep",
                    back="view=unassigned&sort=oldest")
    body = response.content.decode()
    assert f'data-case="{cases[2].number}"' in body
    assert f'data-case="{cases[0].number}"' not in body and f'data-case="{cases[1].number}"' not in body
    assert 'id="view-count-unassigned" hx-swap-oob="true">1<' in body
    assert 'id="inbox-poller"' in body and "view=unassigned" in body


def test_without_javascript_the_result_comes_back_as_messages(world, works_client):
    ok = potholes(world, 1)[0]
    moved = create_case(service=world.pothole, subject="Moved", email="m@example.com")
    transfers.transfer(moved, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    response = bulk(works_client, [ok, moved], htmx=False, action="priority", priority="low", back="view=all&q=x")
    assert response.status_code == 302 and response["Location"] == "/staff/?view=all&q=x"
    page = works_client.get(response["Location"]).content.decode()
    assert "Priority set to Low on 1 case." in page and "1 case was not changed:" in page
    assert f"{moved.number}: Read only" in page
    assert bulk(works_client, [], htmx=False, action="status", status="open").status_code == 302


def test_the_inbox_shows_the_bulk_bar_without_extra_queries(world, works_client):
    potholes(world, 2)
    with CaptureQueriesContext(connection) as queries:
        page = works_client.get("/staff/").content.decode()
    assert 'id="bulk-form"' in page and 'name="cases"' in page and 'id="bulk-select-all"' in page
    assert "Walt" in page or "walt" in page
    potholes(world, 20)
    with CaptureQueriesContext(connection) as more:
        works_client.get("/staff/")
    assert len(more) == len(queries)


def test_a_bulk_of_many_costs_little_more_than_each_case_own_writes(world, works_client):
    one = potholes(world, 1)
    many = potholes(world, 21)
    with CaptureQueriesContext(connection) as single:
        bulk(works_client, one, action="priority", priority="high")
    with CaptureQueriesContext(connection) as twenty_one:
        bulk(works_client, many, action="priority", priority="high")
    writes = [q for q in single.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "SAVEPOINT",
                                                                          "RELEASE"))]
    per_case = max(len(writes), 1)
    assert len(twenty_one) - len(single) <= 20 * per_case, (len(single), len(twenty_one), per_case)


def test_the_bulk_bar_needs_sign_in(world, client):
    case = potholes(world, 1)[0]
    response = client.post("/staff/bulk/", {"cases": [case.number], "action": "priority", "priority": "low"})
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert fresh(case).priority == Priority.NORMAL
