"""A case page's heartbeat: it says this tab is there (viewing or writing) and gets back who else is."""

import logging
import re

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from civicdesk.inbox import actions
from civicdesk.inbox.access import staff_required, visible_case_or_404
from civicdesk.inbox.models import PresenceState
from civicdesk.inbox.presence import heartbeat, others_present

log = logging.getLogger(__name__)
TAB_ID = re.compile(r"[A-Za-z0-9-]{8,40}")


def _tab(request: HttpRequest) -> str | None:
    tab = str(request.POST.get("tab", ""))
    return tab if TAB_ID.fullmatch(tab) else None


@staff_required
@require_POST
def presence(request: HttpRequest, number: str) -> HttpResponse:
    """Mark this tab present in the state it names; answer with the others on the case (the page's live line)."""
    case = visible_case_or_404(request, number)
    tab, state = _tab(request), str(request.POST.get("state", PresenceState.VIEWING))
    if tab is None or state not in PresenceState.values or state == PresenceState.GONE:
        return HttpResponse("A heartbeat names its tab (8 to 40 letters, digits or dashes) and a known state.",
                            status=400, content_type="text/plain")
    try:
        actions.mark_present(case, request.user, tab, state)
    except OperationalError:  # a busy database (SQLite's lock): presence is best effort, the next beat counts
        log.info("Presence heartbeat on %s skipped: the database is busy", case.number)
        return HttpResponse(status=204)
    response = render(request, "inbox/_presence.html", {"present": others_present(case, request.user)})
    for _receiver, headers in heartbeat.send(sender=type(request.user), user=request.user):
        if isinstance(headers, dict):
            for name, value in headers.items():
                response[name] = value
    return response


@staff_required
@require_POST
def leave(request: HttpRequest, number: str) -> HttpResponse:
    """The tab is closing (sent as a beacon): it stops counting at once instead of when its heartbeat expires."""
    case = visible_case_or_404(request, number)
    tab = _tab(request)
    if tab is None:
        return HttpResponse("A beacon names its tab.", status=400, content_type="text/plain")
    try:
        actions.mark_gone(case, request.user, tab)
    except OperationalError:  # a busy database: the tab then ends when its last heartbeat expires
        log.info("Presence leave on %s skipped: the database is busy", case.number)
    return HttpResponse(status=204)
