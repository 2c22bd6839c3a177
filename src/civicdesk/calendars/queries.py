"""Read calendars: the Schedule that applies to an agency or a team (the team's own, else its agency's, else the
site's default), and what staff see of a calendar."""

from datetime import date, time

import holidays
from django.conf import settings

from civicdesk.calendars.business_time import Schedule, public_holidays
from civicdesk.calendars.models import BusinessCalendar, Closure

WORKDAY = ((time(8), time(17)),)


def default_schedule() -> Schedule:
    """Monday to Friday, 08:00 to 17:00 in the site's TIME_ZONE, closed on US federal holidays."""
    return Schedule(zone=settings.TIME_ZONE, week=(WORKDAY,) * 5 + ((), ()), holiday_country="US")


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    """The calendar's rules as plain values (two queries: intervals and closures)."""
    week: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for weekday, opens, closes in calendar.intervals.order_by("weekday", "opens").values_list("weekday", "opens",
                                                                                                "closes"):
        week[weekday].append((opens, closes))
    closed: set[date] = set()
    for first, last in calendar.closures.values_list("first_day", "last_day"):
        closed.update(date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1))
    has_hours = any(week)
    return Schedule(zone=calendar.time_zone,
                    week=tuple(tuple(day) for day in week) if has_hours else default_schedule().week,
                    holiday_country=calendar.holiday_country, holiday_subdivision=calendar.holiday_subdivision,
                    closures=frozenset(closed))


def calendar_for(agency_id: int | None, team_id: int | None = None) -> BusinessCalendar | None:
    """The calendar in force: the team's own, else the agency's, else None (the default)."""
    if team_id is not None:
        found = BusinessCalendar.objects.filter(team_id=team_id).first()
        if found is not None:
            return found
    if agency_id is None:
        return None
    return BusinessCalendar.objects.filter(agency_id=agency_id).first()


def schedule_for(agency_id: int | None, team_id: int | None = None) -> Schedule:
    calendar = calendar_for(agency_id, team_id)
    return schedule_of(calendar) if calendar is not None else default_schedule()


def holidays_in(calendar: BusinessCalendar | None, year: int) -> list[tuple[date, str]]:
    """The public holidays a calendar (or the default) observes in `year`, with their names, for staff to check."""
    country = calendar.holiday_country if calendar is not None else "US"
    subdivision = calendar.holiday_subdivision if calendar is not None else ""
    if not country or not public_holidays(country, subdivision, year):
        return []
    named = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return sorted(named.items())


def upcoming_closures(calendar: BusinessCalendar, since: date) -> list[Closure]:
    return list(calendar.closures.filter(last_day__gte=since).order_by("first_day"))
