"""Time on a target's clock: business time on the case's calendar (calendars app), or plain calendar time."""

from datetime import datetime, timedelta
from typing import Any

from civicdesk.calendars.business_time import UTC, Schedule, add_business_time, business_seconds
from civicdesk.calendars.queries import schedule_for
from civicdesk.slas.models import Hours


def add_time(schedule: Schedule, hours: str, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of the clock after `start`."""
    if hours == Hours.CALENDAR:  # in UTC: Python adds to a zoned datetime by its wall clock, wrong across DST
        return start.astimezone(UTC) + timedelta(seconds=max(0.0, seconds))
    return add_business_time(schedule, start, seconds)


def elapsed(schedule: Schedule, hours: str, start: datetime, end: datetime) -> float:
    """Seconds of the clock between two moments (0 when end is not after start)."""
    if hours == Hours.CALENDAR:
        return max(0.0, (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())
    return business_seconds(schedule, start, end)


class ClockSchedules:
    """The business calendar of each (agency, team), read once per use (a calendar is a few queries)."""

    def __init__(self) -> None:
        self._known: dict[tuple[int | None, int | None], Schedule] = {}

    def of(self, case: Any) -> Schedule:
        key = (case.agency_id, case.team_id)
        if key not in self._known:
            self._known[key] = schedule_for(case.agency_id, case.team_id)
        return self._known[key]
