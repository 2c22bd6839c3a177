"""The desk's chat event stream (/staff/chats/events/): the agent's chats' events and "the queue changed", pushed
by the chat transport's hub (chat/push.py) under ASGI; 204 under WSGI, where the page polls instead."""

import time

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from civicdesk.accounts.sessions import session_ends_at
from civicdesk.chat import push
from civicdesk.chat import queries as chat_queries
from civicdesk.chatdesk import queries
from civicdesk.inbox.access import is_staff_member


def _subscription(user: object, raw_cursors: list[str]) -> push.Subscription:
    """The agent's stream: their chats from the page's cursors (chats held but not on the page join at the hub's
    next queue read, from their first event) and the queue of their agencies."""
    scope = chat_queries.scope_agency_ids(user)
    held = queries.cursors(user, raw_cursors)
    return push.Subscription(cursors={pk: seq for pk, (_key, seq) in held.items()},
                             keys={pk: key for pk, (key, _seq) in held.items()},
                             agent_id=getattr(user, "pk", None),
                             agency_ids=None if scope is None else frozenset(scope))


@require_GET
async def desk_events(request: HttpRequest) -> HttpResponseBase:
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("inbox:login"))
    if not await sync_to_async(is_staff_member)(user):
        return await sync_to_async(render)(request, "inbox/no_profile.html", status=403)
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)  # EventSource stops on 204; the page keeps polling
    subscription = await sync_to_async(_subscription)(user, request.GET.getlist("c"))
    seconds = min(push.STREAM_SECONDS, await session_ends_at(request.session) - time.time())
    response = StreamingHttpResponse(_released(push.stream(subscription, seconds)), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


async def _released(events):  # type: ignore[no-untyped-def]
    """Give back the request's database connections before a minutes-long stream (as inbox.stream_views)."""
    await sync_to_async(connections.close_all)()
    async for event in events:
        yield event
