"""The staff pages of live chat: the chats page (queue and the agent's own chats) and the availability switch."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from civicdesk.chatdesk import actions, queries
from civicdesk.inbox.access import staff_required


@staff_required
@require_GET
def chats(request: HttpRequest) -> HttpResponse:
    return render(request, "chatdesk/chats.html", {
        "nav": "chats", "taking_chats": queries.is_taking_chats(request.user)})


@staff_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    """The agent's switch: `available` is "on" or "off"; HTMX gets the switch back, a plain form the chats page."""
    wanted = request.POST.get("available", "")
    if wanted not in ("on", "off"):
        return HttpResponse("Say available=on or available=off.", status=400, content_type="text/plain")
    actions.set_chat_availability(request.user, available=wanted == "on")
    if getattr(request, "htmx", False):
        return render(request, "chatdesk/_availability.html", {"taking_chats": wanted == "on", "changed": True})
    return redirect("chatdesk:chats")
