"""Case events: the exact subscribers of each event type and router order, and that publishing reaches them."""

import pytest

from civicdesk.assignment.actions import on_case_changed as assignment_on_case_changed
from civicdesk.assignment.actions import on_case_created as assignment_on_case_created
from civicdesk.cases import routing
from civicdesk.cases.actions import touch
from civicdesk.cases.events import (
    CaseAssigned,
    CaseChanged,
    CaseCreated,
    MessageAdded,
    publish,
    subscribe,
    subscribers,
)
from civicdesk.chat.transcript import on_message_added as chat_on_message_added
from civicdesk.gis.actions import after_case_created
from civicdesk.gis.case_locations import on_case_changed
from civicdesk.gis.models import CaseLocation
from civicdesk.gis.routing import route_by_location
from civicdesk.notifications.actions import on_case_assigned, on_message_added
from civicdesk.satisfaction.triggers import on_case_changed as satisfaction_on_case_changed
from civicdesk.slas import clocks
from civicdesk.testing.factories import create_agency, create_case


def test_the_subscribers_of_each_case_event_are_exactly_these():
    assert subscribers(CaseCreated) == (assignment_on_case_created, after_case_created, clocks.on_case_created)
    assert subscribers(CaseChanged) == (assignment_on_case_changed, on_case_changed, clocks.on_case_changed,
                                        satisfaction_on_case_changed)
    assert subscribers(CaseAssigned) == (on_case_assigned,)
    assert subscribers(MessageAdded) == (chat_on_message_added, on_message_added, clocks.on_message_added)


def test_the_routers_are_exactly_these_in_this_order():
    assert routing.routers() == (route_by_location, routing.route_by_service, routing.route_by_agency_hint)


def test_subscribing_twice_runs_a_handler_once(monkeypatch):
    monkeypatch.setattr("civicdesk.cases.events._subscribers", {CaseCreated: [], CaseChanged: [], CaseAssigned: [],
                                                                MessageAdded: []})
    seen = []
    subscribe(CaseChanged, seen.append)
    subscribe(CaseChanged, seen.append)
    event = CaseChanged(case=None, fields=("status",))  # type: ignore[arg-type]
    publish(event)
    assert seen == [event]


def test_only_case_event_types_can_be_subscribed_to():
    with pytest.raises(TypeError):
        subscribe(str, print)  # type: ignore[type-var]


@pytest.mark.django_db
def test_a_created_and_then_moved_case_keeps_its_location_row_in_step():
    create_agency("311")
    case = create_case(lat=44.5, lon=-72.5)
    assert CaseLocation.objects.get(case=case).lat == 44.5
    touch(case, lat=44.6)
    assert CaseLocation.objects.get(case=case).lat == 44.6
    touch(case, lat=None)
    assert not CaseLocation.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_lookahead_reads_the_running_sla_targets_of_many_cases_in_one_query(django_assert_num_queries):
    from civicdesk.cases.events import lookahead
    from civicdesk.core import prefetch

    agency = create_agency("works", "Works")
    cases = [create_case(agency_slug=agency.slug, subject=f"Case {n}") for n in range(3)]
    with django_assert_num_queries(1):
        answers = lookahead([case.pk for case in cases])
    assert set(answers["sla_running"]) == {case.pk for case in cases}
    with prefetch.ahead(answers), django_assert_num_queries(0):
        assert clocks.running(cases[0]) == []
    assert lookahead([]) == {}


def test_kept_loads_once_inside_a_group_and_every_time_outside():
    from civicdesk.core import prefetch

    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert prefetch.kept("k", 1, load) == 1 and prefetch.kept("k", 1, load) == 2
    with prefetch.ahead({}):
        assert prefetch.kept("k", 1, load) == 3 and prefetch.kept("k", 1, load) == 3
        assert prefetch.kept("k", 2, load) == 4
