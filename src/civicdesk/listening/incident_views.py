"""Grouping posts into an incident from the triage view: staff pick one of the active incidents they see, and the
triage view lists an incident's posts (`?incident=<id>`)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicdesk.crisis.models import IncidentStatus
from civicdesk.crisis.queries import staff_incidents
from civicdesk.inbox.access import staff_required
from civicdesk.listening import actions
from civicdesk.listening.staff_views import back_to_page, post_or_404


@staff_required
@require_POST
def post_group(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    incident = None
    if str(request.POST.get("incident", "")).isdigit():
        incident = staff_incidents(request.user).filter(pk=int(request.POST["incident"]),
                                                        status=IncidentStatus.ACTIVE).first()
    if incident is None:
        return HttpResponse(_("Choose one of the active incidents you can see."), status=400,
                            content_type="text/plain")
    if actions.group_into_incident(post, incident, request.user):
        messages.success(request, _("Grouped the post into “%(title)s”.") % {"title": incident.title_en})
    else:
        messages.info(request, _("The post was already in “%(title)s”.") % {"title": incident.title_en})
    return back_to_page(request)
