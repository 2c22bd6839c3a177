"""The staff pages' event streams (/staff/events/, /staff/cases/<number>/events/): async views over inbox.push."""

import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from civicdesk.accounts.sessions import session_ends_at
from civicdesk.inbox import push
from civicdesk.inbox.queries import stream_scope, visible_case_id


@require_GET
async def inbox_events(request: HttpRequest) -> HttpResponseBase:
    """Says which visible cases changed (the inbox then refreshes its list as its poll would)."""
    return await open_stream(request, number=None)


@require_GET
async def case_events(request: HttpRequest, number: str) -> HttpResponseBase:
    """Says when this case, its messages or its audit trail changed (the page then refreshes its live parts)."""
    return await open_stream(request, number=number)


async def open_stream(request: HttpRequest, number: str | None) -> HttpResponseBase:
    """The staff gate as on every staff page, then a stream; 204 where the server cannot hold one (WSGI)."""
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("inbox:login"))
    scope = await sync_to_async(stream_scope)(user)
    if scope is None:
        return await sync_to_async(render)(request, "inbox/no_profile.html", status=403)
    subscription = push.Subscription(scope=scope)
    if number is not None:
        case_id = await sync_to_async(visible_case_id)(user, number)
        if case_id is None:
            raise Http404("No such case.")
        subscription.case_id, subscription.case_number = case_id, number.upper()
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)  # EventSource stops reconnecting on 204; the page keeps polling
    seconds = min(push.STREAM_SECONDS, await session_ends_at(request.session) - time.time())
    response = StreamingHttpResponse(released(push.stream(subscription, seconds)), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # a buffering reverse proxy would hold the events back
    return response


async def released(events: AsyncIterator[str]) -> AsyncIterator[str]:
    """The stream, after giving back the database connections its request used (in the request's own sync thread):
    a stream lasts minutes, and with a connection pool each open tab would otherwise hold one all that time."""
    await sync_to_async(connections.close_all)()
    async for event in events:
        yield event
