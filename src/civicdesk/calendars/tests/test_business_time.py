"""Business time computed by hand: weekends, federal and state holidays, a snow day, both daylight-saving changes,
due times that cross them, and a team whose calendar overrides its agency's."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from civicdesk.calendars.actions import add_closure, calendar_of, set_hours
from civicdesk.calendars.business_time import Schedule, add_business_time, business_seconds, is_open
from civicdesk.calendars.queries import default_schedule, schedule_for
from civicdesk.testing.factories import create_agency

NY = ZoneInfo("America/New_York")
HOUR = 3600
ALWAYS = Schedule(zone="America/New_York", week=(((time(0), time(0)),),) * 7, holiday_country="")


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


@pytest.fixture
def default(settings) -> Schedule:
    settings.TIME_ZONE = "America/New_York"
    return default_schedule()


def test_a_weekend_does_not_count(default: Schedule) -> None:
    assert business_seconds(default, ny(2026, 10, 16, 16), ny(2026, 10, 19, 9)) == 2 * HOUR  # Fri 16:00 to Mon 09:00


def test_a_federal_holiday_does_not_count(default: Schedule) -> None:
    # Thanksgiving is Thursday 26 November 2026: Wednesday 16:00 to Friday 09:00 is one hour each side
    assert business_seconds(default, ny(2026, 11, 25, 16), ny(2026, 11, 27, 9)) == 2 * HOUR


def test_a_state_holiday_counts_only_where_the_calendar_says(default: Schedule) -> None:
    boston = Schedule(zone="America/New_York", week=default.week, holiday_country="US", holiday_subdivision="MA")
    patriots_day = (ny(2026, 4, 20, 8), ny(2026, 4, 20, 17))  # the third Monday of April
    assert business_seconds(default, *patriots_day) == 9 * HOUR
    assert business_seconds(boston, *patriots_day) == 0


def test_spring_forward_makes_a_day_of_23_hours_and_fall_back_one_of_25() -> None:
    assert business_seconds(ALWAYS, ny(2026, 3, 8), ny(2026, 3, 9)) == 23 * HOUR
    assert business_seconds(ALWAYS, ny(2026, 11, 1), ny(2026, 11, 2)) == 25 * HOUR
    assert business_seconds(ALWAYS, ny(2026, 3, 7), ny(2026, 3, 10)) == (24 + 23 + 24) * HOUR


def test_office_hours_stay_eight_to_five_local_across_the_change(default: Schedule) -> None:
    # Friday 6 March 16:00 EST plus two business hours: Monday 9 March 09:00 EDT (13:00 UTC, not 14:00)
    due = add_business_time(default, ny(2026, 3, 6, 16), 2 * HOUR)
    assert due == ny(2026, 3, 9, 9) and due.astimezone(ZoneInfo("UTC")).hour == 13
    assert business_seconds(default, ny(2026, 3, 6, 8), ny(2026, 3, 9, 17)) == 18 * HOUR


def test_a_due_time_skips_nights_weekends_and_holidays(default: Schedule) -> None:
    assert add_business_time(default, ny(2026, 10, 16, 16, 30), HOUR) == ny(2026, 10, 19, 8, 30)
    assert add_business_time(default, ny(2026, 10, 17, 12), HOUR) == ny(2026, 10, 19, 9)  # from a Saturday
    assert add_business_time(default, ny(2026, 11, 25, 16), 2 * HOUR) == ny(2026, 11, 27, 9)  # over Thanksgiving
    assert add_business_time(default, ny(2026, 10, 19, 10), 0) == ny(2026, 10, 19, 10)


def test_business_seconds_and_due_times_agree(default: Schedule) -> None:
    start = ny(2026, 12, 18, 15, 17)
    for hours in (0.5, 1, 9, 30, 200):
        due = add_business_time(default, start, hours * HOUR)
        assert business_seconds(default, start, due) == pytest.approx(hours * HOUR)


def test_is_open_reads_the_local_clock(default: Schedule) -> None:
    assert is_open(default, ny(2026, 10, 19, 8))
    assert not is_open(default, ny(2026, 10, 19, 17))
    assert not is_open(default, ny(2026, 12, 25, 10))  # Christmas
    assert is_open(ALWAYS, ny(2026, 3, 8, 3, 30))


@pytest.mark.django_db
def test_a_snow_day_and_a_team_calendar_are_read_from_the_database(settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    works = create_agency("public-works", "Public Works")
    crew = works.teams.create(name="Night crew")
    calendar = calendar_of(agency=works)
    add_closure(calendar, name="Snow day", first_day=ny(2026, 12, 15).date(), actor=None)
    agency_schedule = schedule_for(works.pk)
    assert business_seconds(agency_schedule, ny(2026, 12, 14, 16), ny(2026, 12, 16, 9)) == 2 * HOUR
    night = calendar_of(team=crew)
    set_hours(night, [[(time(22), time(0))]] * 7, actor=None)
    team_schedule = schedule_for(works.pk, crew.pk)
    assert team_schedule.zone == "America/New_York"
    assert business_seconds(team_schedule, ny(2026, 12, 16, 21), ny(2026, 12, 17, 9)) == 2 * HOUR
    assert schedule_for(works.pk, None).closures == frozenset({ny(2026, 12, 15).date()})
    assert timedelta(seconds=business_seconds(schedule_for(None), ny(2026, 12, 14, 8), ny(2026, 12, 14, 9))) == \
        timedelta(hours=1)
