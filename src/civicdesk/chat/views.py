"""The resident's side of live chat (the portal widget): start or leave a message, post, end, listen, poll.

The resident has no account: the session's secret token lives in an HttpOnly cookie scoped to /chat/ (EventSource
sends it; page scripts never see it). Fragments are server-rendered (translated, USWDS); messages and the live
events are JSON. Every refusal is a clear 4xx with a sentence for the resident, never a 500.
"""

import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.chat import actions, push, queries
from civicdesk.chat.forms import StartForm
from civicdesk.chat.models import ChatSession
from civicdesk.chat.wire import event_json, state_json
from civicdesk.web.ratelimit import client_key, count_client_hit, count_hit, limit_message, with_retry_after

COOKIE = "civicdesk_chat"
COOKIE_PATH = "/chat/"
COOKIE_AGE = 24 * 3600


def wants_json(request: HttpRequest) -> bool:
    """The widget's scripts ask for fragments and JSON; a plain form post (no JavaScript) gets pages."""
    return request.headers.get("X-Requested-With") == "civicdesk-chat"


def current_session(request: HttpRequest) -> ChatSession | None:
    return actions.session_for_token(request.COOKIES.get(COOKIE, ""))


def _set_cookie(response: HttpResponse, token: str) -> HttpResponse:
    response.set_cookie(COOKIE, token, max_age=COOKIE_AGE, path=COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response


def _panel(request: HttpRequest, session: ChatSession | None, *, form: StartForm | None = None, status: int = 200,
           notice: str = "", left: ChatSession | None = None) -> HttpResponse:
    """The widget's panel: the live chat, the start form (or the leave-a-message form), or a thank-you."""
    context: dict[str, Any] = {"session": session, "form": form, "notice": notice, "left": left,
                               "max_length": settings.CHAT_MAX_MESSAGE_CHARS}
    if session is not None and form is None and left is None:
        context["events"] = [event_json(event, str(session.key)) for event in queries.transcript(session)]
        context["state"] = state_json(session, queries.queue_position(session))
    elif form is None and left is None:
        context["form"] = StartForm(queries.chat_agencies())
    template = "chat/_panel.html" if wants_json(request) else "chat/page.html"
    return render(request, template, context, status=status)


@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """The panel's content (the widget fetches it when opened), or the full chat page without JavaScript."""
    session = current_session(request)
    if session is not None and not session.is_live and not session.blocked and request.GET.get("new"):
        session = None
    return _panel(request, session)


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start a chat, or, with nobody of the agency available (or `leave`), leave a message that becomes a case."""
    leave = request.POST.get("leave") == "1"
    agencies = queries.chat_agencies()
    form = StartForm(agencies, request.POST, leave=leave)
    if not form.is_valid():
        return _panel(request, None, form=form, status=400)
    staffed = {agency.pk: is_staffed for agency, is_staffed in agencies}[form.cleaned_data["agency"]]
    if not leave and not staffed:
        form = StartForm(agencies, initial={**form.cleaned_data, "agency": str(form.cleaned_data["agency"]),
                                            "reply_channel": ""}, leave=True)
        notice = gettext("Nobody at %(agency)s can chat right now. Leave your message and we will answer you by "
                         "email or text message.") % {"agency": form.agencies[int(form.initial["agency"])].text("name")}
        return _panel(request, None, form=form, notice=notice, status=200)
    count = count_client_hit(request, "chat-start", limit=settings.CHAT_STARTS_PER_HOUR, window_seconds=3600)
    if not count.allowed:
        return with_retry_after(_panel(request, None, form=form, notice=limit_message(count), status=429), count)
    data = form.cleaned_data
    values = {"agency": form.chosen_agency(), "text": data["text"], "client_id": data["client_id"],
              "name": data["name"], "email": data["email"], "phone": data["phone"],
              "language": get_language() or "", "ip_hash": client_key(request)}
    try:
        if leave:
            session, _token = actions.leave_message(reply_channel=data["reply_channel"], **values)
            return _panel(request, None, left=session, status=201)
        session, token = actions.start_session(reply_channel=data["reply_channel"], **values)
    except actions.ChatRefused as exc:
        form.add_error(None, str(exc))
        return _panel(request, None, form=form, status=exc.status)
    transaction.on_commit(push.poke)
    response = _panel(request, session, status=201) if wants_json(request) else redirect("chat:panel")
    return _set_cookie(response, token)


def _refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return _panel(request, current_session(request), notice=message, status=status)


@require_POST
def post_message(request: HttpRequest) -> HttpResponse:
    """The resident's message: 201 with its event, 200 for a retry of one already taken; 4xx with a sentence."""
    session = current_session(request)
    if session is None:
        return _refusal(request, gettext("This chat is no longer open. Start a new chat if you need more help."), 404)
    by_session = count_hit("chat-session", str(session.key), limit=settings.CHAT_MESSAGES_PER_MINUTE)
    by_address = count_client_hit(request, "chat-address", limit=settings.CHAT_IP_MESSAGES_PER_MINUTE)
    for count in (by_session, by_address):
        if not count.allowed:
            message = gettext("You are sending messages too quickly. Please wait %(seconds)d seconds and try "
                              "again.") % {"seconds": count.retry_after}
            return with_retry_after(_refusal(request, message, 429), count)
    client_id = request.POST.get("id") or str(uuid.uuid4())
    try:
        posted = actions.post_resident_message(session, text=request.POST.get("text", ""), client_id=client_id)
    except actions.ChatRefused as exc:
        return _refusal(request, str(exc), exc.status)
    transaction.on_commit(push.poke)
    if not wants_json(request):
        return redirect("chat:panel")
    return JsonResponse(event_json(posted.event, str(session.key)), status=201 if posted.created else 200)


@require_POST
def end(request: HttpRequest) -> HttpResponse:
    """The resident ends the chat (the case stays; later answers go by their email or text message)."""
    session = current_session(request)
    if session is None:
        return _refusal(request, gettext("This chat is no longer open."), 404)
    session = actions.end_session(session)
    transaction.on_commit(push.poke)
    if not wants_json(request):
        return redirect("chat:panel")
    return JsonResponse(state_json(session, None))


@require_GET
def poll(request: HttpRequest) -> HttpResponse:
    """The fallback of the event stream: the session's state and its events after `after` (a seq)."""
    session = current_session(request)
    if session is None:
        return JsonResponse({"error": gettext("This chat is no longer open.")}, status=404)
    try:
        after = max(0, min(int(request.GET.get("after", "0")), 2**31))
    except ValueError:
        return JsonResponse({"error": gettext("“after” must be a whole number.")}, status=400)
    actions.resident_seen(session)
    events = [event_json(event, str(session.key)) for event in queries.events_after(session, after)]
    return JsonResponse({"state": state_json(session, queries.queue_position(session)), "events": events})


@require_GET
async def events(request: HttpRequest) -> HttpResponseBase:
    """The resident's event stream (server-sent events); 204 where the server cannot hold one (WSGI)."""
    session = await sync_to_async(current_session)(request)
    if session is None:
        return JsonResponse({"error": gettext("This chat is no longer open.")}, status=404)
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)  # EventSource stops on 204; the widget polls instead
    try:
        after = int(request.headers.get("Last-Event-ID") or request.GET.get("after") or 0)
    except ValueError:
        after = 0
    await sync_to_async(actions.resident_seen)(session)
    subscription = push.Subscription(cursors={session.pk: max(0, after)}, keys={session.pk: str(session.key)},
                                     agency_ids=frozenset({session.agency_id}), resident=True)
    response = StreamingHttpResponse(_released(push.stream(subscription, push.STREAM_SECONDS)),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


async def _released(stream: Any) -> Any:
    """Give back the request's database connections before a minutes-long stream (as inbox.stream_views)."""
    await sync_to_async(connections.close_all)()
    async for chunk in stream:
        yield chunk
