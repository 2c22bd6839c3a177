"""Background jobs of business calendars: reading each calendar's iCal closures feed every hour."""

import logging
import urllib.request

from django.conf import settings
from django.utils.translation import gettext
from django_tasks import task

from civicdesk.calendars.actions import CalendarError, import_ical, note_feed_error
from civicdesk.calendars.models import BusinessCalendar

log = logging.getLogger(__name__)
MAX_FEED_BYTES = 2 * 1024 * 1024


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "CivicDesk calendar feed reader"})
    with urllib.request.urlopen(request, timeout=settings.CALENDAR_FEED_TIMEOUT_SECONDS) as answer:  # noqa: S310
        data: bytes = answer.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise CalendarError(gettext("The feed is larger than 2 MB."))
    return data


@task(queue_name="default")
def refresh_calendar_feeds() -> int:
    """Read every calendar's feed; a feed that fails keeps its closures and shows the error to staff."""
    done = 0
    for calendar in BusinessCalendar.objects.exclude(ical_url="").select_related("agency", "team"):
        if not calendar.ical_url.startswith(("https://", "http://")):
            continue
        try:
            import_ical(calendar, fetch(calendar.ical_url))
            done += 1
        except Exception as exc:  # unreachable, not iCal: noted on the calendar, tried again next hour
            log.warning("Calendar feed of calendar %s failed: %s", calendar.pk, type(exc).__name__)
            note_feed_error(calendar.pk, f"{type(exc).__name__}: {exc}")
    return done
