"""Idle and absolute session limits: sign staff out after SESSION_IDLE_MINUTES quiet or SESSION_MAX_HOURS in all.

Activity is any request except the staff pages' live polls: htmx sends `HX-Request: true` and, in `HX-Trigger`,
the id of the element that fired, and every poller's id ends in "-poller" (`inbox-poller`, `case-poller`). Those
requests neither refresh the idle clock nor save the session, so a tab left open on the inbox still expires.
The staff pages' event streams (`Accept: text/event-stream`, which EventSource always sends) are not activity
either, and a stream ends when the session would expire (`session_ends_at`), so it never outlives its session.
The last-activity time is written at most once a minute, so ordinary browsing does not save the session each time.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "civicdesk.last_activity"
SIGNED_IN_KEY = "civicdesk.signed_in_at"
TOUCH_EVERY_SECONDS = 60


def stamp_new_session(session: SessionBase) -> None:
    now = time.time()
    session[LAST_ACTIVITY_KEY] = now
    session[SIGNED_IN_KEY] = now


def is_live_poll(request: HttpRequest) -> bool:
    if request.headers.get("Accept", "").startswith("text/event-stream"):
        return True
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Trigger", "").endswith("-poller"))


async def session_ends_at(session: SessionBase) -> float:
    """The wall-clock time at which this signed-in session expires if nothing but live polls reach it."""
    last, signed_in = await session.aget(LAST_ACTIVITY_KEY), await session.aget(SIGNED_IN_KEY)
    now = time.time()
    idle_end = last + settings.SESSION_IDLE_MINUTES * 60 if isinstance(last, (int, float)) else now
    max_end = signed_in + settings.SESSION_COOKIE_AGE if isinstance(signed_in, (int, float)) else now
    return min(idle_end, max_end)


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request: HttpRequest) -> None:
        session, now = request.session, time.time()
        last, signed_in = session.get(LAST_ACTIVITY_KEY), session.get(SIGNED_IN_KEY)
        if not isinstance(last, (int, float)) or not isinstance(signed_in, (int, float)):
            stamp_new_session(session)  # a session from before these limits: start its clocks now
            return
        idle_minutes = settings.SESSION_IDLE_MINUTES
        if now - last > idle_minutes * 60:
            logout(request)
            messages.info(request, _("You were signed out after %(minutes)d minutes without activity. "
                                     "Please sign in again.") % {"minutes": idle_minutes})
        elif now - signed_in > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
        elif not is_live_poll(request) and now - last >= TOUCH_EVERY_SECONDS:
            session[LAST_ACTIVITY_KEY] = now
