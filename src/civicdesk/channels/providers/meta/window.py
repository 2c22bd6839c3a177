"""Meta's reply windows: a free reply within 24 hours of the resident's last message, a human agent's reply with the
HUMAN_AGENT tag up to 7 days, nothing after that. Comment replies are public and have no window."""

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext, ngettext

STANDARD = timedelta(hours=24)
HUMAN_AGENT = timedelta(days=7)
HUMAN_AGENT_TAG = "HUMAN_AGENT"


class ReplyWindow(NamedTuple):
    allowed: bool
    tag: str  # "" (messaging_type RESPONSE) or "HUMAN_AGENT" (messaging_type MESSAGE_TAG)
    seconds_left: int | None  # None: no window (a public comment reply)
    reason: str  # why a reply is refused ("" when allowed)


def window_at(last_inbound_at: datetime | None, *, public: bool = False, automatic: bool = False,
              now: datetime | None = None) -> ReplyWindow:
    """The window for a reply now, from when the resident last wrote. An automatic message never uses the human
    agent tag: after 24 hours only a person may answer."""
    if public:
        return ReplyWindow(True, "", None, "")
    if last_inbound_at is None:
        return ReplyWindow(False, "", 0, gettext(
            "Meta only allows replies to people who wrote to the page first, and no message from this resident is "
            "known."))
    age = (now or timezone.now()) - last_inbound_at
    if age <= STANDARD:
        return ReplyWindow(True, "", int((STANDARD - age).total_seconds()), "")
    if age <= HUMAN_AGENT and not automatic:
        return ReplyWindow(True, HUMAN_AGENT_TAG, int((HUMAN_AGENT - age).total_seconds()), "")
    if age <= HUMAN_AGENT:
        return ReplyWindow(False, "", 0, gettext(
            "More than 24 hours have passed since the resident's last message, so Meta only allows a reply written "
            "by a person (sent with the human agent tag), not an automatic one."))
    return ReplyWindow(False, "", 0, gettext(
        "More than 7 days have passed since the resident's last message, so Meta does not allow a reply on this "
        "channel any more. Reach them another way (email or phone) if they gave one, or wait until they write "
        "again."))


def reply_window(conversation: Any, now: datetime | None = None) -> ReplyWindow:
    """The window of a conversation (conversations.models.Conversation, read by its attributes): public comment
    threads have none; direct messages run from the resident's last message."""
    public = getattr(conversation, "visibility", "") == "public"
    return window_at(getattr(conversation, "last_inbound_at", None), public=public, now=now)


def duration(seconds: int) -> str:
    """"3 hours 20 minutes", "5 days 2 hours", "12 minutes": how long is left, in words."""
    minutes = max(0, seconds) // 60
    days, hours, mins = minutes // 1440, (minutes % 1440) // 60, minutes % 60
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if mins and not days:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", mins) % {"n": mins})
    return " ".join(parts) or gettext("less than a minute")


def notice(window: ReplyWindow) -> str:
    """What the composer says about the window ("" for a public comment thread)."""
    if window.seconds_left is None:
        return ""
    if not window.allowed:
        return window.reason
    if window.tag:
        return gettext("The resident last wrote more than 24 hours ago: this reply goes with Meta's human agent tag, "
                       "which allows a person's reply for %(left)s more. Automatic messages are no longer allowed.") % {
            "left": duration(window.seconds_left)}
    return gettext("Meta allows replies for %(left)s more (24 hours after the resident's last message); a person "
                   "may then still answer for up to 7 days.") % {"left": duration(window.seconds_left)}
