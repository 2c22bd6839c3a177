"""Defensive parsing of numbers and days from requests: finite, in range, and safe for both database engines."""

import math
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_DB_INT = 2**63 - 1  # the largest value a 64-bit integer column (SQLite INTEGER, PostgreSQL bigint) holds
MAX_PAGE = 100_000  # like the inbox filter form
EARLIEST_DAY = date(1900, 1, 1)  # bounds far inside what datetime and every time zone conversion can represent
LATEST_DAY = date(2999, 12, 31)


class BadParameter(ValueError):
    """A request parameter that is not a usable value; the message says which and why, for a 400."""


def finite_float(value: str, name: str, *, low: float, high: float) -> float:
    """A float between low and high: NaN, infinities and out-of-range numbers are refused with a clear message."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadParameter(_("%(name)s must be a number.") % {"name": name}) from exc
    if not math.isfinite(number) or not low <= number <= high:
        raise BadParameter(_("%(name)s must be a finite number from %(low)g to %(high)g.")
                           % {"name": name, "low": low, "high": high})
    return number


def bounded_int(value: str, name: str, *, low: int = 1, high: int = MAX_DB_INT) -> int:
    """A whole number between low and high (by default a valid database id)."""
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isdigit() or len(digits) > 19:
        raise BadParameter(_("%(name)s must be a whole number from %(low)d to %(high)d.")
                           % {"name": name, "low": low, "high": high})
    number = int(text)
    if not low <= number <= high:
        raise BadParameter(_("%(name)s must be a whole number from %(low)d to %(high)d.")
                           % {"name": name, "low": low, "high": high})
    return number


def day_start(day: date) -> datetime | None:
    """Midnight at the start of day in the current time zone; None outside EARLIEST_DAY..LATEST_DAY (no bound)."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


def day_after_start(day: date) -> datetime | None:
    """Midnight at the end of day (the start of the next one), or None when day is past LATEST_DAY (no bound)."""
    return day_start(day + timedelta(days=1)) if day < LATEST_DAY else None
