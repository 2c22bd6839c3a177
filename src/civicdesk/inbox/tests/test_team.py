"""The supervisors' team page: open loads in one grouped query, away status, hand-overs, team members, approval."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicdesk.agencies.models import StaffProfile
from civicdesk.agencies.queries import available_staff
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.workload import open_loads
from civicdesk.inbox.forms import AssignForm
from civicdesk.testing.factories import create_case, create_staff, create_team

from .conftest import client_for

pytestmark = pytest.mark.django_db


def assigned(world, assignee, *, priority="normal", status="open", service=None):
    case = create_case(service=service or world.pothole, subject="Load", email="load@example.com")
    actions.assign(case, actor=world.admin, assignee=assignee)
    actions.set_priority(case, actor=world.admin, priority=priority)
    actions.change_status(case, actor=world.admin, status=status)
    return case


def test_the_team_page_shows_each_persons_open_load_by_status_and_priority(world):
    assigned(world, world.works_agent, priority="urgent")
    assigned(world, world.works_agent, status="in_progress")
    assigned(world, world.works_agent, status="resolved")  # not open: not counted
    assigned(world, world.works_agent2, priority="high", status="waiting")
    page = client_for(world.supervisor).get("/staff/team/").content.decode()
    assert "Public Works" in page and "Parks and Recreation" in page and "wanda" in page and "pat" in page
    loads = open_loads([world.works_agent.pk, world.works_agent2.pk], [world.works.pk])
    wanda, walt = loads[(world.works_agent.pk, world.works.pk)], loads[(world.works_agent2.pk, world.works.pk)]
    assert (wanda.total, wanda.urgent_or_high, wanda.statuses()) == (2, 1, [("Open", 1), ("In progress", 1)])
    assert (walt.total, walt.urgent_or_high, walt.statuses()) == (1, 1, [("Waiting on resident", 1)])
    assert f"?assignee={world.works_agent.pk}&amp;agency=public-works" in page


def test_the_team_page_costs_the_same_queries_for_many_people_and_cases(world, django_assert_max_num_queries):
    client = client_for(world.supervisor)
    client.get("/staff/team/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/team/")
    for i in range(8):
        agent = create_staff(f"extra{i}", agencies=[world.works], teams=[world.works_team])
        for _ in range(3):
            assigned(world, agent, priority="high" if i % 2 else "low")
    create_team(world.works, "Night crew")
    with django_assert_max_num_queries(len(few)):
        assert client.get("/staff/team/").status_code == 200


def test_the_manage_page_links_team_for_supervisors_and_staff_for_admins_only(world, works_client):
    assert 'href="/staff/manage/"' not in works_client.get("/staff/").content.decode()
    assert works_client.get("/staff/manage/").status_code == 403
    assert 'href="/staff/manage/"' in client_for(world.supervisor).get("/staff/").content.decode()
    supervisor = client_for(world.supervisor).get("/staff/manage/").content.decode()
    assert 'href="/staff/team/"' in supervisor and 'href="/staff/people/"' not in supervisor
    admin = client_for(world.admin).get("/staff/manage/").content.decode()
    assert 'href="/staff/team/"' in admin and 'href="/staff/people/"' in admin


def test_a_supervisor_marks_an_agent_away_and_the_pickers_say_so(world):
    supervisor = client_for(world.supervisor)
    until = timezone.localdate() + timedelta(days=3)
    response = supervisor.post(f"/staff/team/members/{world.works_agent.pk}/away/",
                               {"away": "on", "away_until": until.isoformat()})
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=world.works_agent)
    assert profile.away and profile.away_until == until and profile.is_away
    entry = AuditEntry.objects.get(action=AuditAction.STAFF_AWAY_CHANGED)
    assert entry.staff == world.works_agent and entry.actor == world.supervisor
    case = create_case(service=world.pothole, email="x@example.com")
    labels = [label for _, label in AssignForm(case=case).fields["assignee"].choices]
    assert f"wanda (away through {until:%b} {until.day})" in labels and "walt" in labels
    supervisor.post(f"/staff/team/members/{world.works_agent.pk}/away/", {})
    profile.refresh_from_db()
    assert not profile.away and profile.away_until is None


def test_away_ends_after_the_last_day_away(world):
    profile = world.works_agent.staff
    profile.away, profile.away_until = True, timezone.localdate() - timedelta(days=1)
    assert not profile.is_away


def test_a_last_day_away_in_the_past_is_refused(world):
    response = client_for(world.supervisor).post(f"/staff/team/members/{world.works_agent.pk}/away/", {
        "away": "on", "away_until": "2001-01-01"})
    assert response.status_code == 302 and not StaffProfile.objects.get(user=world.works_agent).away


def test_a_supervisor_hands_over_an_agents_open_cases_each_audited(world):
    open_one = assigned(world, world.works_agent)
    done = assigned(world, world.works_agent, status="closed")
    response = client_for(world.supervisor).post(f"/staff/team/members/{world.works_agent.pk}/handover/", {
        "agency": world.works.pk, "assignee": world.works_agent2.pk})
    assert response.status_code == 302
    assert Case.objects.get(pk=open_one.pk).assignee == world.works_agent2
    assert Case.objects.get(pk=done.pk).assignee == world.works_agent  # finished cases stay
    entry = open_one.audit.filter(action=AuditAction.ASSIGNED).latest("at")
    assert entry.actor == world.supervisor and entry.after["assignee"] == world.works_agent2.pk


def test_a_hand_over_to_someone_outside_the_agency_is_refused(world):
    case = assigned(world, world.works_agent)
    client_for(world.supervisor).post(f"/staff/team/members/{world.works_agent.pk}/handover/", {
        "agency": world.works.pk, "assignee": world.parks_agent.pk})
    assert Case.objects.get(pk=case.pk).assignee == world.works_agent


def test_a_supervisor_adds_and_removes_team_members(world):
    supervisor = client_for(world.supervisor)
    night = create_team(world.works, "Night crew")
    supervisor.post(f"/staff/team/teams/{night.pk}/add/", {"member": world.works_agent.pk})
    assert night in world.works_agent.staff.teams.all()
    supervisor.post(f"/staff/team/teams/{night.pk}/add/", {"member": world.parks_agent.pk})  # not of the agency
    assert night not in world.parks_agent.staff.teams.all()
    supervisor.post(f"/staff/team/teams/{night.pk}/remove/", {"member": world.works_agent.pk})
    assert night not in world.works_agent.staff.teams.all()
    assert AuditEntry.objects.filter(action=AuditAction.TEAM_MEMBERS_CHANGED, staff=world.works_agent).count() == 2


def test_a_supervisor_turns_transfer_approval_on_for_their_agency(world):
    client = client_for(world.supervisor)
    assert client.post(f"/staff/team/agencies/{world.works.pk}/transfer-approval/",
                       {"required": "on"}).status_code == 302
    world.works.refresh_from_db()
    assert world.works.transfer_approval_required
    entry = AuditEntry.objects.get(action=AuditAction.AGENCY_CHANGED)
    assert entry.after == {"agency": "public-works", "transfer_approval": True} and entry.actor == world.supervisor


def test_an_open_case_count_ignores_merged_and_other_agencies(world):
    mine = assigned(world, world.works_agent)
    other = assigned(world, world.works_agent)
    actions.merge_cases(other, mine, actor=world.admin)
    tree = create_case(service=world.tree, email="t@example.com")
    actions.assign(tree, actor=world.admin, assignee=world.works_agent)
    loads = open_loads([world.works_agent.pk], [world.works.pk])
    assert loads[(world.works_agent.pk, world.works.pk)].total == 1
    assert tree.status == CaseStatus.OPEN and (world.works_agent.pk, world.parks.pk) not in loads


def test_an_away_agent_is_not_available_for_automatic_assignment(world):
    profile = world.works_agent.staff
    profile.away = True
    profile.save()
    assert set(available_staff(world.works.pk)) == {world.works_agent2, world.supervisor}
    profile.away_until = timezone.localdate() - timedelta(days=1)  # the last day away has passed
    profile.save()
    assert set(available_staff(world.works.pk)) == {world.works_agent, world.works_agent2, world.supervisor}
