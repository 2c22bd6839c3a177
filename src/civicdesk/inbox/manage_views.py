"""The Manage page of supervisors and administrators: one place for the pages that run the desk (team, staff,
channels, calendars, opt-outs, outbox, the admin), so the header keeps to what agents use all day."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicdesk.cases.permissions import is_admin
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.staff_queries import require_supervisor


@staff_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    return render(request, "inbox/manage.html", {"nav": "manage", "is_admin": is_admin(request.user),
                                                 "is_superuser": request.user.is_superuser})
