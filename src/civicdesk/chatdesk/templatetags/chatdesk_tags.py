"""Template helpers of the desk's chat pages: waiting times in plain words, and a fresh message id."""

import uuid
from datetime import timedelta

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def wait_text(waited: timedelta) -> str:
    """"45 s", "2 min 05 s", "1 h 02 min" (the page's script keeps it ticking with the same wording)."""
    seconds = max(0, int(waited.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return gettext("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return gettext("%(m)d min %(s)02d s") % {"m": minutes, "s": seconds}
    return gettext("%(s)d s") % {"s": seconds}


@register.simple_tag
def new_message_id() -> str:
    """The id of a message posted without JavaScript (a retried post of the same form takes effect once)."""
    return str(uuid.uuid4())
