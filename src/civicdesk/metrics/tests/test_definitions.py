"""Metric figures checked against timelines computed by hand: a weekend, a holiday, a daylight-saving change, a pause
while waiting on the resident, a reopen, a transfer, an automatic acknowledgement and a note that must not count.
The calendar is New York's, Monday to Friday 09:00-17:00 with US federal holidays (the default calendar, of the
agency a case is transferred to, opens at 08:00). Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from datetime import date

import pytest

from civicdesk.cases.models import Case, CaseStatus, Direction
from civicdesk.metrics.actions import catch_up
from civicdesk.metrics.models import FiguresState, MetricEvent, MetricKind
from civicdesk.metrics.queries import agency_figures, figures
from civicdesk.metrics.tests.timelines import HOUR, Timeline, nine_to_five, ny
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
OCTOBER = (date(2026, 10, 1), date(2026, 11, 30))


@pytest.fixture(autouse=True)
def new_york(settings) -> None:
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def works():
    agency = create_agency("works", "Public Works")
    nine_to_five(agency)
    return agency


def events(timeline: Timeline) -> dict[str, list[tuple[date, float | None, float | None]]]:
    FiguresState.objects.update(checked_at=None)  # a timeline written in the past: build everything again
    catch_up()
    found: dict[str, list[tuple[date, float | None, float | None]]] = {}
    for kind, day, calendar, business in MetricEvent.objects.filter(case=timeline.case).order_by("at").values_list(
            "kind", "day", "calendar_seconds", "business_seconds"):
        found.setdefault(kind, []).append((day, calendar, business))
    return found


def test_a_weekend_counts_in_calendar_time_only_and_the_acknowledgement_and_note_do_not_count(works) -> None:
    case = Timeline(works, ny(2026, 10, 16, 16)).acknowledgement(ny(2026, 10, 16, 16, 0, 5)).note(
        ny(2026, 10, 16, 16, 30)).reply(ny(2026, 10, 19, 10)).status(ny(2026, 10, 19, 11), CaseStatus.RESOLVED)
    found = events(case)
    assert found[MetricKind.FIRST_RESPONSE] == [(date(2026, 10, 19), 66 * HOUR, 2 * HOUR)]  # Fri 16-17, Mon 9-10
    assert found[MetricKind.RESOLVED] == [(date(2026, 10, 19), 67 * HOUR, 3 * HOUR)]
    assert found[MetricKind.RESOLVED_SINCE_REOPEN] == found[MetricKind.RESOLVED]
    assert found[MetricKind.CREATED] == [(date(2026, 10, 16), None, None)]
    assert found[MetricKind.FIRST_CONTACT] == [(date(2026, 10, 19), None, None)]
    assert MetricKind.NEXT_RESPONSE not in found


def test_thanksgiving_is_not_business_time(works) -> None:
    case = Timeline(works, ny(2026, 11, 25, 16)).reply(ny(2026, 11, 27, 10))
    assert events(case)[MetricKind.FIRST_RESPONSE] == [(date(2026, 11, 27), 42 * HOUR, 2 * HOUR)]


def test_the_end_of_daylight_saving_time_makes_a_weekend_an_hour_longer(works) -> None:
    case = Timeline(works, ny(2026, 10, 30, 12)).reply(ny(2026, 11, 2, 12))  # 16:00 UTC to 17:00 UTC
    assert events(case)[MetricKind.FIRST_RESPONSE] == [(date(2026, 11, 2), 73 * HOUR, 8 * HOUR)]


def test_waiting_on_the_resident_pauses_resolution_and_a_reopen_counts_again_from_the_reopen(works) -> None:
    case = (Timeline(works, ny(2026, 10, 6, 9)).reply(ny(2026, 10, 6, 10)).status(ny(2026, 10, 6, 10), "waiting")
            .inbound(ny(2026, 10, 7, 9)).status(ny(2026, 10, 7, 9), CaseStatus.OPEN).reply(ny(2026, 10, 7, 11))
            .status(ny(2026, 10, 7, 12), CaseStatus.RESOLVED)
            .inbound(ny(2026, 10, 8, 10)).status(ny(2026, 10, 8, 10), CaseStatus.OPEN).reply(ny(2026, 10, 8, 10, 30))
            .status(ny(2026, 10, 8, 14), CaseStatus.RESOLVED))
    found = events(case)
    assert found[MetricKind.FIRST_RESPONSE] == [(date(2026, 10, 6), HOUR, HOUR)]
    assert found[MetricKind.NEXT_RESPONSE] == [(date(2026, 10, 7), 2 * HOUR, 2 * HOUR),
                                               (date(2026, 10, 8), HOUR / 2, HOUR / 2)]
    # 27 h from creation less 23 h waiting; in business time 11 h less 7 h waiting
    assert found[MetricKind.RESOLVED] == [(date(2026, 10, 7), 4 * HOUR, 4 * HOUR),
                                          (date(2026, 10, 8), 30 * HOUR, 14 * HOUR)]
    assert found[MetricKind.RESOLVED_SINCE_REOPEN] == [(date(2026, 10, 7), 4 * HOUR, 4 * HOUR),
                                                       (date(2026, 10, 8), 4 * HOUR, 4 * HOUR)]
    assert found[MetricKind.REOPENED] == [(date(2026, 10, 8), None, None)]
    assert MetricKind.FIRST_CONTACT not in found


def test_a_transferred_case_counts_under_its_new_agency_and_is_not_resolved_at_first_contact(works) -> None:
    parks = create_agency("parks", "Parks")  # the default calendar: 08:00-17:00
    case = (Timeline(works, ny(2026, 10, 13, 9)).transfer(ny(2026, 10, 13, 10), parks).reply(ny(2026, 10, 13, 11))
            .status(ny(2026, 10, 13, 12), CaseStatus.RESOLVED))
    found = events(case)
    assert found[MetricKind.FIRST_RESPONSE] == [(date(2026, 10, 13), 2 * HOUR, 2 * HOUR)]
    assert MetricKind.FIRST_CONTACT not in found
    by_agency = {g.key: g for g in figures(Case.objects.all(), start=OCTOBER[0], end=OCTOBER[1],
                                           group_by="agency", hours="business")}
    assert set(by_agency) == {"parks"}
    assert by_agency["parks"].resolution.n == 1


def test_figures_per_agency_are_the_hand_computed_means_medians_and_percentiles(works) -> None:
    Timeline(works, ny(2026, 10, 16, 16)).acknowledgement(ny(2026, 10, 16, 16, 0, 5)).reply(ny(2026, 10, 19, 10))
    Timeline(works, ny(2026, 11, 25, 16)).reply(ny(2026, 11, 27, 10)).status(ny(2026, 11, 27, 11), "resolved")
    Timeline(works, ny(2026, 10, 30, 12)).reply(ny(2026, 11, 2, 12))
    Timeline(works, ny(2026, 10, 20, 9)).note(ny(2026, 10, 20, 9, 30))  # no response yet: open, in the backlog
    catch_up()
    for found in (figures(Case.objects.all(), start=OCTOBER[0], end=OCTOBER[1], group_by="agency", hours="business"),
                  agency_figures(None, start=OCTOBER[0], end=OCTOBER[1], group_by="agency", hours="business")):
        (group,) = found
        assert (group.key, group.created, group.resolved, group.reopened, group.backlog) == ("works", 4, 1, 0, 3)
        assert group.first_response.n == 3
        assert group.first_response.mean == 4 * HOUR  # (2 + 2 + 8) / 3 hours
        assert group.first_response.median == 2 * HOUR  # nearest rank 2 of [2, 2, 8]
        assert group.first_response.p90 == 8 * HOUR  # rank ceil(2.7) = 3
        assert group.resolution.n == 1 and group.resolution.median == 3 * HOUR
        assert group.first_contact_rate == 100


def test_an_outbound_message_by_a_person_is_a_response_and_a_resident_message_is_not(works) -> None:
    case = Timeline(works, ny(2026, 10, 6, 9)).message(ny(2026, 10, 6, 9, 5), Direction.INBOUND)
    assert MetricKind.FIRST_RESPONSE not in events(case)
    case.reply(ny(2026, 10, 6, 9, 20))
    assert events(case)[MetricKind.FIRST_RESPONSE] == [(date(2026, 10, 6), 1200, 1200)]
