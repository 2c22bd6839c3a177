"""The staff pages of live chat: the chats page (queue and the agent's own chats) and the availability switch."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicdesk.inbox.access import staff_required


@staff_required
@require_GET
def chats(request: HttpRequest) -> HttpResponse:
    return render(request, "chatdesk/chats.html", {"nav": "chats", "taking_chats": False})
