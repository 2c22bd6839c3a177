"""Business days: weekdays that are not US federal holidays (a later issue adds per-agency calendars)."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(years=year))  # observed days included (a Saturday's holiday on the Friday)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The business day `days` business days after `start` (start itself never counts)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day
