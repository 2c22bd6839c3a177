"""Who gets the case: round robin in turn and fairly, least open first with ties by waiting longest, and neither
ever choosing an agent who is away, at capacity, not at the desk or deactivated; a capacity change applies at once."""

from collections import Counter

import pytest
from django.utils import timezone

from civicdesk.agencies import actions as staff_actions
from civicdesk.assignment import actions, queries
from civicdesk.assignment.models import AssignmentMode, TeamAgent
from civicdesk.assignment.tests.conftest import at_desk, rule
from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def queued(desk, n: int = 1) -> list[Case]:
    """n cases waiting unassigned in the crew's queue (the rule is set after, so nothing assigns them yet)."""
    return [create_case(service=desk.pothole, subject=f"Pothole {i}", email=f"r{i}@example.com") for i in range(n)]


def assign_all(cases: list[Case]) -> list[str | None]:
    names = []
    for case in cases:
        outcome = actions.assign_case(case.pk)
        names.append(outcome.assignee.username if outcome else None)
    return names


def test_round_robin_gives_each_available_agent_a_case_in_turn(desk):
    cases = queued(desk, 7)
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    at_desk(*desk.agents)
    assert assign_all(cases) == ["ana", "ben", "cai", "ana", "ben", "cai", "ana"]


def test_round_robin_is_fair_over_many_cases_and_goes_on_where_it_left_off(desk):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=100)
    at_desk(*desk.agents)
    first = assign_all(queued(desk, 9))
    assert Counter(first) == {"ana": 3, "ben": 3, "cai": 3}
    assert assign_all(queued(desk, 1)) == ["ana"]  # the pointer is kept in the database, not in a process


def test_round_robin_skips_away_full_and_inactive_agents_and_their_turn_is_not_saved(desk):
    cases = queued(desk, 4)
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=2)
    at_desk(desk.ana, desk.cai)
    at_desk(desk.ben, minutes_ago=30)  # signed in long ago, not active now
    staff_actions.set_away(desk.cai.staff, actor=desk.supervisor, away=True)
    assert assign_all(cases) == ["ana", "ana", None, None]  # then ana is full: the rest wait in the queue
    assert Case.objects.filter(assignee__isnull=True, team=desk.crew).count() == 2


def test_a_deactivated_agent_gets_no_case(desk):
    cases = queued(desk, 2)
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    at_desk(*desk.agents)
    staff_actions.set_active(desk.ana, actor=desk.supervisor, active=False)
    assert assign_all(cases) == ["ben", "cai"]


def test_least_open_picks_the_fewest_open_cases_with_ties_to_whoever_waited_longest(desk):
    earlier = queued(desk, 3)
    for case, agent in zip(earlier, [desk.ana, desk.ana, desk.ben], strict=True):
        case_actions.assign(case, actor=desk.supervisor, assignee=agent, team=desk.crew)
    rule(desk.crew, AssignmentMode.LEAST_OPEN)
    at_desk(*desk.agents)
    # open: ana 2, ben 1, cai 0 -> cai; then ben 1, cai 1: ben never got one from the rule, cai just did -> ben
    assert assign_all(queued(desk, 3)) == ["cai", "ben", "cai"]
    TeamAgent.objects.update_or_create(team=desk.crew, user=desk.ana, defaults={"last_assigned_at": timezone.now()})
    # ana 2, ben 2, cai 2: ana's last case from the rule is newest, ben's oldest
    assert assign_all(queued(desk, 1)) == ["ben"]


def test_least_open_counts_only_open_cases_of_the_agency(desk):
    earlier = queued(desk, 2)
    for case in earlier:
        case_actions.assign(case, actor=desk.supervisor, assignee=desk.ana, team=desk.crew)
    case_actions.change_status(earlier[0], actor=desk.ana, status=CaseStatus.RESOLVED)
    case_actions.change_status(earlier[1], actor=desk.ana, status=CaseStatus.CLOSED)
    rule(desk.crew, AssignmentMode.LEAST_OPEN)
    at_desk(desk.ana, desk.ben)
    assert assign_all(queued(desk, 1)) == ["ana"]  # 0 open each; ana's id comes first


def test_least_open_skips_away_and_full_agents(desk):
    rule(desk.crew, AssignmentMode.LEAST_OPEN, capacity=1)
    at_desk(*desk.agents)
    staff_actions.set_away(desk.ana.staff, actor=desk.ana, away=True)
    assert assign_all(queued(desk, 3)) == ["ben", "cai", None]


def test_a_capacity_change_takes_effect_at_once(desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=1)
    at_desk(desk.ana)
    assert assign_all(queued(desk, 2)) == ["ana", None]
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_settings(desk.crew, actor=desk.supervisor, mode=AssignmentMode.ROUND_ROBIN, capacity=2,
                              return_when_away=False, own_capacities={})
    # the waiting case went to ana as soon as the change was saved
    assert Case.objects.filter(team=desk.crew, assignee=desk.ana).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_settings(desk.crew, actor=desk.supervisor, mode=AssignmentMode.ROUND_ROBIN, capacity=2,
                              return_when_away=False, own_capacities={desk.ana.pk: 1})
    assert assign_all(queued(desk, 1)) == [None]  # her own capacity, 1, is below her 2 open cases


def test_an_own_capacity_of_zero_means_no_cases_automatically(desk):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    at_desk(*desk.agents)
    actions.save_settings(desk.crew, actor=desk.supervisor, mode=AssignmentMode.ROUND_ROBIN, capacity=10,
                          return_when_away=False, own_capacities={desk.ben.pk: 0})
    assert assign_all(queued(desk, 3)) == ["ana", "cai", "ana"]


def test_a_manual_team_assigns_nothing(desk):
    cases = queued(desk, 1)
    at_desk(*desk.agents)
    assert assign_all(cases) == [None]
    rule(desk.crew, AssignmentMode.MANUAL)
    assert assign_all(cases) == [None]


def test_available_agents_and_loads_for_the_supervisor_dashboard(desk):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=1)
    at_desk(desk.ana, desk.ben)
    staff_actions.set_away(desk.ben.staff, actor=desk.ben, away=True)
    assert queries.available_agents(desk.crew) == [desk.ana]
    assign_all(queued(desk, 1))
    assert queries.available_agents(desk.crew) == []  # ana is at capacity now
    loads = {load.user.username: load for load in queries.agent_loads([desk.works.pk])}
    assert (loads["ana"].open_cases, loads["ana"].capacity, loads["ana"].available) == (1, 1, False)
    assert (loads["ben"].away, loads["ben"].available, loads["ben"].last_seen_at is not None) == (True, False, True)
    assert (loads["cai"].last_seen_at, loads["cai"].available) == (None, False)
    assert loads["sup"].capacity is None  # on no team
