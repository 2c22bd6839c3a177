"""Template filters of the scorecard: durations in words a resident reads, and shares as percentages."""

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def duration(seconds: Any) -> str:
    """1 h 20 min under a day, "2.5 days" beyond; "Not enough cases" for a withheld figure."""
    if seconds is None:
        return gettext("Not enough cases")
    seconds = float(seconds)
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    if seconds < 86400:
        hours = round(seconds / 3600, 1)
        return gettext("%(n)s hours") % {"n": number_format(hours, 1 if hours % 1 else 0)}
    days = round(seconds / 86400, 1)
    return gettext("%(n)s days") % {"n": number_format(days, 1 if days % 1 else 0)}


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return gettext("Not enough cases")
    return gettext("%(n)s%%") % {"n": number_format(value, 0)}
