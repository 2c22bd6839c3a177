"""Staff pages of listening streams: the list of the user's agencies' streams, and the form that makes or changes
one (supervisors and administrators; agents get 403; another agency's stream is not there at all, 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.crisis.queries import may_manage
from civicdesk.inbox.access import staff_required
from civicdesk.listening import actions, desk
from civicdesk.listening.models import AlertStatus, Stream
from civicdesk.listening.stream_forms import StreamForm


def _agencies(request: HttpRequest) -> QuerySet[Agency]:
    if is_admin(request.user):
        return Agency.objects.order_by("name")
    return Agency.objects.filter(pk__in=agency_ids(request.user)).order_by("name")


def _managing(request: HttpRequest) -> None:
    if not may_manage(request.user):
        raise PermissionDenied("Only supervisors and administrators manage listening streams.")


@staff_required
@require_GET
def streams(request: HttpRequest) -> HttpResponse:
    _managing(request)
    found = (desk.streams_for(request.user).select_related("agency")
             .annotate(open_alerts=Count("alerts", filter=Q(alerts__status=AlertStatus.OPEN))).order_by("name"))
    return render(request, "listening/staff/streams.html", {"streams": found, "nav": "manage"})


@staff_required
@require_http_methods(["GET", "POST"])
def stream_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    stream = None
    if pk is not None:  # another agency's stream is not there at all, whatever the role (403 would confirm it)
        stream = desk.streams_for(request.user).filter(pk=pk).first()
        if stream is None:
            raise Http404("No such stream.")
    _managing(request)
    form = StreamForm(request.POST or None, instance=stream or Stream(), agencies=_agencies(request))
    context = {"form": form, "stream": stream, "nav": "manage"}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "listening/staff/stream_form.html", context, status=400)
        saved = actions.save_stream(form, request.user)
        messages.success(request, _("Saved the stream “%(name)s”. Its listener takes the change up within a minute.")
                         % {"name": saved.name})
        return redirect("listening:streams")
    return render(request, "listening/staff/stream_form.html", context)
