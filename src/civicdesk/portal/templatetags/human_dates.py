"""Dates for people: "3 days ago", with the full date and time in the <time> element's title and datetime."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


def ago(value: datetime, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', '3 days ago', '2 months ago': the largest unit only."""
    now = now or timezone.now()
    if (now - value).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}


@register.simple_tag
def human_time(value: datetime | None) -> SafeString:
    """<time datetime="ISO" title="the full local date and time">3 days ago</time>; empty for no date."""
    if value is None:
        return SafeString("")
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       date_format(local, "DATETIME_FORMAT"), ago(value))


@register.simple_tag
def full_time(value: datetime | None) -> SafeString:
    """<time datetime="ISO">the full local date and time</time>, for facts that need the exact moment."""
    if value is None:
        return SafeString("")
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), date_format(local, "DATETIME_FORMAT"))
