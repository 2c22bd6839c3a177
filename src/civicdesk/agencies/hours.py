"""An agency's fixed weekly business hours (until calendars come): whether a moment falls inside them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from civicdesk.agencies.models import MIDNIGHT, BusinessHours


@dataclass(frozen=True)
class Period:
    weekday: int  # 0 is Monday
    opens: time
    closes: time  # 00:00: until midnight


# What an agency without a schedule of its own keeps: Monday to Friday, 08:00 to 17:00.
DEFAULT_HOURS: tuple[Period, ...] = tuple(Period(day, time(8), time(17)) for day in range(5))


def schedule_of(agency_id: int) -> tuple[Period, ...]:
    """The agency's periods in one query, or the default week when it has none."""
    rows = BusinessHours.objects.filter(agency_id=agency_id).values_list("weekday", "opens", "closes")
    return tuple(Period(*row) for row in rows) or DEFAULT_HOURS


def is_open(periods: Iterable[Period], at: datetime | None = None) -> bool:
    """Whether `at` (now by default; read in the site's TIME_ZONE) falls inside one of the periods."""
    local = timezone.localtime(at or timezone.now())
    moment = local.time().replace(tzinfo=None)
    for period in periods:
        if period.weekday != local.weekday():
            continue
        if period.opens <= moment and (period.closes == MIDNIGHT or moment < period.closes):
            return True
    return False
