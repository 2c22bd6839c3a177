"""Automatic assignment in the desk's flows: a new case, a case returned to the queue, the sweep when an agent comes
back, an agent going away; each automatic assignment says why on the timeline and notifies the agent."""

import pytest

from civicdesk.agencies import actions as staff_actions
from civicdesk.assignment import actions
from civicdesk.assignment.models import AssignmentMode
from civicdesk.assignment.tests.conftest import at_desk, rule
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.inbox.sentences import describe
from civicdesk.inbox.timeline import names_for
from civicdesk.notifications.models import Notification, NotificationKind
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def sentences(case: Case) -> list[str]:
    entries = list(AuditEntry.objects.filter(case=case, action=AuditAction.ASSIGNED).select_related("actor"))
    names = names_for(entries)
    return [describe(entry, names).text for entry in entries]


def new_case(desk, capture, n: int = 0) -> Case:
    with capture(execute=True):
        case = create_case(service=desk.pothole, subject=f"Pothole {n}", email=f"r{n}@example.com")
    case.refresh_from_db()
    return case


def test_a_new_case_in_a_round_robin_team_is_assigned_says_why_and_notifies_the_agent(
        desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=8)
    at_desk(*desk.agents)
    case = new_case(desk, django_capture_on_commit_callbacks)
    assert (case.assignee, case.team, case.status) == (desk.ana, desk.crew, CaseStatus.OPEN)
    assert sentences(case) == ["Assigned to Ana Ruiz by round robin: 0 of 8 open cases, available"]
    assert Notification.objects.filter(recipient=desk.ana, kind=NotificationKind.ASSIGNED, case=case).exists()


def test_least_open_says_how_many_were_available(desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.LEAST_OPEN, capacity=8)
    at_desk(desk.ana, desk.ben)
    case = new_case(desk, django_capture_on_commit_callbacks)
    assert sentences(case) == [
        "Assigned to Ana Ruiz by least open cases first: 0 of 8 open cases, the fewest of 2 available agents"]


def test_a_case_that_finds_nobody_waits_and_the_sweep_assigns_it_when_an_agent_comes_back(
        desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    case = new_case(desk, django_capture_on_commit_callbacks)
    assert case.assignee is None and case.status == CaseStatus.NEW
    at_desk(desk.ben)
    assert actions.assign_waiting() == 1
    case.refresh_from_db()
    assert case.assignee == desk.ben


def test_coming_back_from_away_takes_waiting_cases_at_once(desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    at_desk(desk.cai)
    staff_actions.set_away(desk.cai.staff, actor=desk.cai, away=True)
    case = new_case(desk, django_capture_on_commit_callbacks)
    assert case.assignee is None
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.set_away(desk.cai.staff, actor=desk.cai, away=False)
    case.refresh_from_db()
    assert case.assignee == desk.cai


def test_a_case_moved_into_the_team_or_unassigned_there_is_assigned_again(desk, django_capture_on_commit_callbacks):
    other = create_case(subject="Elsewhere", email="x@example.com", agency_slug="public-works")
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    at_desk(desk.ana, desk.ben)
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.assign(other, actor=desk.supervisor, assignee=None, team=desk.crew)
    other.refresh_from_db()
    assert other.assignee == desk.ana
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.assign(other, actor=desk.supervisor, assignee=None, team=desk.crew)
    other.refresh_from_db()
    assert other.assignee == desk.ben  # back in the queue: the next in turn


def test_an_agent_going_away_returns_their_unanswered_cases_which_go_to_someone_available(
        desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, return_when_away=True)
    at_desk(desk.ana)
    answered = new_case(desk, django_capture_on_commit_callbacks, 1)
    unanswered = new_case(desk, django_capture_on_commit_callbacks, 2)
    assert answered.assignee == unanswered.assignee == desk.ana
    reply = case_actions.add_outbound_message(answered, channel=answered.channel, text="We are on it.",
                                              recipient="r1@example.com", author=desk.ana)
    case_actions.note_reply(answered, reply)
    answered.refresh_from_db()
    assert answered.first_response_at is not None
    at_desk(desk.ben)
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.set_away(desk.ana.staff, actor=desk.ana, away=True)
    answered.refresh_from_db()
    unanswered.refresh_from_db()
    assert answered.assignee == desk.ana  # she answered it: it stays hers
    assert unanswered.assignee == desk.ben
    assert sentences(unanswered)[1:] == ["Returned to the queue: Ana Ruiz is away and had not answered yet",
                                         "Assigned to Ben Okafor by round robin: 0 of 10 open cases, available"]


def test_a_team_that_keeps_cases_of_away_agents_keeps_them(desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, return_when_away=False)
    at_desk(desk.ana)
    case = new_case(desk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.set_away(desk.ana.staff, actor=desk.ana, away=True)
    case.refresh_from_db()
    assert case.assignee == desk.ana


def test_a_manual_assignment_still_reads_as_before(desk):
    case = create_case(service=desk.pothole)
    case_actions.assign(case, actor=desk.supervisor, assignee=desk.ana, team=desk.crew)
    assert sentences(case) == ["Assigned to Ana Ruiz by sup"]


def test_the_sweep_runs_periodically_and_with_nobody_available_writes_nothing(desk, settings,
                                                                             django_assert_max_num_queries):
    assert "civicdesk.assignment.tasks.assign_waiting" in dict(settings.PERIODIC_TASKS)
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    create_case(service=desk.pothole)
    with django_assert_max_num_queries(8):  # teams, waiting cases, the team, its members' availability: no lock
        assert actions.assign_waiting() == 0
