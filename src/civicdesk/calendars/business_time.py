"""Business time on a Schedule: whether a moment is open, open seconds between two moments, a moment plus open time.

Plain values only (no database): a Schedule is read once (calendars.queries.schedule_for) and used many times.
Each day is laid out in the calendar's own time zone, so an interval of 08:00-17:00 is nine real hours on a normal
day and still 08:00-17:00 local on the days clocks change (a 00:00-00:00 day is 23 or 25 real hours then).
Moments in and out are aware datetimes; results are exact to the microsecond.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MIDNIGHT = time(0)
UTC = ZoneInfo("UTC")
MAX_DAYS = 366 * 20  # add_business_time gives up after this many days (a calendar that is never open)


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """A country's (and a state's) public holidays in `year`, observed days included; none for no country."""
    if not country:
        return frozenset()
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:  # an unknown country or subdivision code: no holidays rather than a crash
        return frozenset()
    return frozenset(found)


@dataclass(frozen=True)
class Schedule:
    """A calendar's rules as plain values: the zone, open intervals by weekday (0 is Monday), closed days."""

    zone: str
    week: tuple[tuple[tuple[time, time], ...], ...]  # 7 entries: (opens, closes) pairs, closes 00:00 = midnight
    holiday_country: str = "US"
    holiday_subdivision: str = ""
    closures: frozenset[date] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def closed_on(self, day: date) -> bool:
        return day in self.closures or day in public_holidays(self.holiday_country, self.holiday_subdivision,
                                                              day.year)

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open periods (laid out in the calendar's zone) as UTC datetimes; none on a holiday or closure.

        In UTC because Python compares and subtracts two datetimes of one zone by their wall clocks, which is wrong
        across a clock change."""
        if self.closed_on(day):
            return []
        tz = self.tz
        periods = []
        for opens, closes in self.week[day.weekday()]:
            start = datetime.combine(day, opens, tzinfo=tz).astimezone(UTC)
            end = datetime.combine(day + timedelta(days=1) if closes == MIDNIGHT else day, closes,
                                   tzinfo=tz).astimezone(UTC)
            periods.append((start, end))
        return periods


def _days(start: datetime, tz: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(tz).date() - timedelta(days=1)  # the day before may run past midnight into `start`
    while True:
        yield day
        day += timedelta(days=1)


def open_periods(schedule: Schedule, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The open stretches inside [start, end), in order, clipped to it."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return
    tz = schedule.tz
    for day in _days(start, tz):
        if datetime.combine(day, MIDNIGHT, tzinfo=tz).astimezone(UTC) >= end:
            return
        for opens, closes in schedule.periods_on(day):
            lower, upper = max(opens, start), min(closes, end)
            if lower < upper:
                yield lower, upper


def business_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Open seconds between two moments (0 when end is not after start). Real elapsed time: a UTC difference."""
    total = timedelta()
    for lower, upper in open_periods(schedule, start, end):
        total += upper - lower
    return total.total_seconds()


def add_business_time(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The moment (UTC) `seconds` of open time after `start` (a due time); `start` if seconds is 0 or less."""
    start = start.astimezone(UTC)
    left = timedelta(seconds=max(0.0, seconds))
    if not left:
        return start
    tz = schedule.tz
    for count, day in enumerate(_days(start, tz)):
        if count > MAX_DAYS:
            raise ValueError("This calendar is never open: no due time can be computed.")
        for opens, closes in schedule.periods_on(day):
            lower = max(opens, start)
            if lower >= closes:
                continue
            span = closes - lower
            if span >= left:
                return lower + left
            left -= span
    raise AssertionError("unreachable")


def is_open(schedule: Schedule, at: datetime) -> bool:
    at = at.astimezone(UTC)
    local_day = at.astimezone(schedule.tz).date()
    for day in (local_day - timedelta(days=1), local_day):
        if any(opens <= at < closes for opens, closes in schedule.periods_on(day)):
            return True
    return False
