"""The link in each follower's update email: confirm, then stop that follower's updates on that case."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from civicdesk.cases.followers import read_unsubscribe_token
from civicdesk.cases.followers import unsubscribe as stop_updates
from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links); POST stops the updates. A damaged or forged link is a 400."""
    found = read_unsubscribe_token(token)
    case = Case.objects.filter(public_id=found[0]).first() if found else None
    contact = Contact.objects.filter(pk=found[1]).first() if found and case else None
    if case is None or contact is None:
        return render(request, "portal/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        stop_updates(case, contact)
    return render(request, "portal/unsubscribe.html", {"case": case, "token": token, "done": done})
