"""Template helpers of the desk's chat pages: waiting times in plain words, a fresh message id, a case's live chat."""

import uuid
from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext

from civicdesk.chat.models import ChatSession, ChatStatus

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


@register.simple_tag
def live_chat_of(case: Any) -> ChatSession | None:
    """The case's chat while it waits or runs (one query, asked only on a chat case's page)."""
    return (ChatSession.objects.select_related("agent").filter(case=case, status__in=ChatStatus.live())
            .order_by("-pk").first())
