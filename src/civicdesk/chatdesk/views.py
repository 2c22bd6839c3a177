"""The desk's live chat pages: the chats page (availability, the queue, the agent's chats), its live check (the
polling fallback of the event stream), the header's count, and the forms that accept, write in, end and block.

Accept, end and block are plain forms (a full page each: they are rare and must work without JavaScript); an
agent's message is posted by the page's script (JSON back) or by the same form without it.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.chat import actions as chat_actions
from civicdesk.chat import queries as chat_queries
from civicdesk.chat.models import ChatSession
from civicdesk.chat.wire import event_json
from civicdesk.chatdesk import actions, queries
from civicdesk.inbox.access import staff_required

NAV_EVERY_SECONDS = 20  # an accepting agent's header asks this often (their check-in; see chat.queries)


def check_in(user: Any) -> None:
    """The agent's desk is open: chat.actions.check_in, asked at most every CHECK_IN_EVERY per process (its UPDATE
    would otherwise take SQLite's write lock on every one-second check of every open chats page)."""
    local = caches["local"]
    mark = _check_in_mark(user)
    if local.get(mark):
        return
    chat_actions.check_in(user)
    local.set(mark, True, int(chat_actions.CHECK_IN_EVERY.total_seconds()))


def _check_in_mark(user: Any) -> str:
    return f"chatdesk:checked-in:{user.pk}"


def wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "civicdesk-chat"


def _accepting(user: Any) -> bool:
    availability = chat_queries.availability(user)
    return bool(availability and availability.accepting)


def _queue_context(request: HttpRequest) -> dict[str, Any]:
    waiting = queries.queue(request.user)
    return {"waiting": waiting, "queue_signature": queries.queue_signature(waiting)}


@staff_required
@require_GET
def chats(request: HttpRequest) -> HttpResponse:
    check_in(request.user)
    return render(request, "chatdesk/chats.html", {
        "nav": "chats", "accepting": _accepting(request.user), "panels": queries.panels(request.user),
        "max_length": settings.CHAT_MAX_MESSAGE_CHARS, **_queue_context(request)})


@staff_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    """The agent's switch: `available` is "on" or "off"."""
    wanted = request.POST.get("available", "")
    if wanted not in ("on", "off"):
        return HttpResponse("Say available=on or available=off.", status=400, content_type="text/plain")
    actions.set_available(request.user, available=wanted == "on")
    caches["local"].delete(_check_in_mark(request.user))  # switched on: the next check counts again
    messages.success(request, gettext("You are now available for chat.") if wanted == "on"
                     else gettext("You are now away from chat: no new chats are offered to you."))
    return redirect("chatdesk:chats")


@staff_required
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """The chats page's check (every second while its event stream is unavailable): the new events of the page's
    chats (`c=<key>:<seq>`, repeated), the queue when it changed since `q`, and which chats the agent holds."""
    check_in(request.user)
    answer: dict[str, Any] = {"events": [], "held": queries.held_keys(request.user)}
    for pk, (key, seq) in queries.cursors(request.user, request.GET.getlist("c")).items():
        answer["events"] += [event_json(event, key) for event in chat_queries.events_after(
            ChatSession(pk=pk), seq)]
    context = _queue_context(request)
    answer["waiting"] = len(context["waiting"])
    if context["queue_signature"] != request.GET.get("q", ""):
        answer["queue"] = {"signature": context["queue_signature"],
                           "html": render_to_string("chatdesk/_queue.html", context, request)}
    return JsonResponse(answer)


@staff_required
@require_GET
def queue_fragment(request: HttpRequest) -> HttpResponse:
    """The queue's list alone (the page fetches it when its stream says the queue changed)."""
    return render(request, "chatdesk/_queue.html", _queue_context(request))


@staff_required
@require_GET
def panels_fragment(request: HttpRequest) -> HttpResponse:
    """The agent's chat panels alone (when they took or were handed a chat in another tab)."""
    return render(request, "chatdesk/_panels.html", {
        "panels": queries.panels(request.user), "max_length": settings.CHAT_MAX_MESSAGE_CHARS})


@staff_required
@require_GET
def nav(request: HttpRequest) -> HttpResponse:
    """The header's count of waiting chats (asked on load, when the page's stream reports a change and, for an
    agent taking chats, every NAV_EVERY_SECONDS: their desk's check-in). 204 when the page shows that count."""
    check_in(request.user)
    count = queries.waiting_count(request.user)
    accepting = _accepting(request.user)
    shown = request.GET.get("shown", "")
    if shown == f"{count}:{int(accepting)}":
        return HttpResponse(status=204)
    return render(request, "chatdesk/_nav_count.html", {
        "waiting_count": count, "accepting": accepting, "every": NAV_EVERY_SECONDS, "swapped": True})


def _session(request: HttpRequest, key: uuid.UUID) -> ChatSession:
    session = queries.session_in_scope(request.user, key)
    if session is None:
        raise Http404("No such chat.")
    return session


def _refused(request: HttpRequest, exc: chat_actions.ChatRefused) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": str(exc)}, status=exc.status)
    messages.error(request, str(exc))
    return redirect("chatdesk:chats")


@staff_required
@require_POST
def accept(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Take a waiting chat: it and its case become the agent's; a chat someone else took first is refused in plain
    words (409)."""
    session = _session(request, key)
    try:
        actions.accept(session, request.user)
    except chat_actions.ChatRefused as exc:
        return _refused(request, exc)
    messages.success(request, gettext("You accepted the chat. Its case %(number)s is assigned to you.") % {
        "number": session.case.number})
    return redirect(reverse("chatdesk:chats") + f"#chat-{session.key}")


@staff_required
@require_POST
def post_message(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The agent's message in their chat: 201 with its event (200 for a retry); 4xx with a sentence."""
    session = _session(request, key)
    client_id = request.POST.get("id") or str(uuid.uuid4())
    try:
        posted = chat_actions.post_agent_message(session, request.user, text=request.POST.get("text", ""),
                                                 client_id=client_id)
    except chat_actions.ChatRefused as exc:
        return _refused(request, exc)
    if not wants_json(request):
        return redirect(reverse("chatdesk:chats") + f"#chat-{session.key}")
    return JsonResponse(event_json(posted.event, str(session.key)), status=201 if posted.created else 200)


@staff_required
@require_POST
def end(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    session = _session(request, key)
    try:
        ended = actions.end(session, request.user)
    except chat_actions.ChatRefused as exc:
        return _refused(request, exc)
    messages.success(request, gettext("The chat ended. Case %(number)s stays open: answer it by email or text "
                                      "message from the case page.") % {"number": ended.case.number})
    return redirect("chatdesk:chats")


@staff_required
@require_POST
def block(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    session = _session(request, key)
    try:
        blocked = actions.end_and_block(session, request.user, reason=request.POST.get("reason", ""))
    except chat_actions.ChatRefused as exc:
        return _refused(request, exc)
    messages.success(request, gettext("The chat ended and the session is blocked: it cannot send any more "
                                      "messages. Case %(number)s stays open.") % {"number": blocked.case.number})
    return redirect("chatdesk:chats")
