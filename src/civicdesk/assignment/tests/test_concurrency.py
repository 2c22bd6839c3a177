"""Two workers assigning at once (threads with their own database connections, committed transactions): nobody goes
over capacity, no case is assigned twice, and the round robin's turns are not taken twice."""

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from civicdesk.assignment import actions, queries
from civicdesk.assignment.models import AssignmentMode
from civicdesk.assignment.tests.conftest import at_desk, make_desk, rule
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case
from civicdesk.testing.factories import create_case, create_team

pytestmark = pytest.mark.django_db(transaction=True)


def together(work: list[Callable[[], object]]) -> list[object]:
    """Run each callable in its own thread, released at the same moment; their results, or raise the first error."""
    start, results, errors = threading.Barrier(len(work)), [None] * len(work), []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work[i]()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


@pytest.fixture(autouse=True)
def slow_choice(monkeypatch):
    """Each worker pauses between reading the loads and writing its choice: without the locks the other would read
    the same loads meanwhile and choose the same agent (this test fails when actions._lock_agency locks nothing)."""
    read = queries.candidates

    def slowly(*args, **kwargs):
        found = read(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(queries, "candidates", slowly)


def queued(desk, n: int) -> list[Case]:
    return [create_case(service=desk.pothole, subject=f"Pothole {i}", email=f"c{i}@example.com") for i in range(n)]


def test_two_workers_never_give_one_agent_more_than_their_capacity():
    desk = make_desk()
    cases = queued(desk, 6)
    rule(desk.crew, AssignmentMode.LEAST_OPEN, capacity=1)
    at_desk(desk.ana, desk.ben)
    for _ in range(2):  # twice, so the race has more than one chance to show
        together([lambda c=c: actions.assign_case(c.pk) for c in cases[:3]])
        cases = cases[3:]
    per_agent = Counter(Case.objects.filter(assignee__isnull=False).values_list("assignee__username", flat=True))
    assert per_agent == {"ana": 1, "ben": 1}
    assert Case.objects.filter(assignee__isnull=True).count() == 4


def test_two_teams_of_one_agency_never_overfill_an_agent_on_both():
    """Capacity counts the agency's cases: the lock is the agency's, not only each team's pointer."""
    desk = make_desk()
    night = create_team(desk.works, "Night crew")
    desk.ana.staff.teams.add(night)
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=1)
    rule(night, AssignmentMode.ROUND_ROBIN, capacity=1)
    day_case, night_case = queued(desk, 2)
    case_actions.assign(night_case, actor=desk.supervisor, assignee=None, team=night)
    at_desk(desk.ana)
    outcomes = together([lambda: actions.assign_case(day_case.pk), lambda: actions.assign_case(night_case.pk)])
    assert sum(1 for o in outcomes if o is not None) == 1
    assert Case.objects.filter(assignee=desk.ana).count() == 1


def test_two_workers_on_the_same_case_assign_it_once():
    desk = make_desk()
    case = queued(desk, 1)[0]
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    at_desk(*desk.agents)
    outcomes = together([lambda: actions.assign_case(case.pk), lambda: actions.assign_case(case.pk)])
    assert sum(1 for o in outcomes if o is not None) == 1
    assert AuditEntry.objects.filter(case=case, action=AuditAction.ASSIGNED).count() == 1


def test_round_robin_turns_stay_fair_with_two_workers():
    desk = make_desk()
    cases = queued(desk, 6)
    rule(desk.crew, AssignmentMode.ROUND_ROBIN, capacity=100)
    at_desk(*desk.agents)
    together([lambda: actions.assign_waiting([desk.crew.pk]), lambda: actions.assign_waiting([desk.crew.pk])])
    per_agent = Counter(Case.objects.filter(pk__in=[c.pk for c in cases])
                        .values_list("assignee__username", flat=True))
    assert per_agent == {"ana": 2, "ben": 2, "cai": 2}
