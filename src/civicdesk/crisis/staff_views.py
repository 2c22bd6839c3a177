"""Staff pages of crisis mode: incidents (declare, dashboard, updates, end) and broadcasts (estimate, progress)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.cases.permissions import visible_cases
from civicdesk.crisis import actions, dashboard, queries
from civicdesk.crisis.forms import BroadcastForm, IncidentForm, UpdateForm
from civicdesk.crisis.models import Broadcast, Incident, IncidentStatus
from civicdesk.inbox.access import staff_required


def _incident(request: HttpRequest, slug: str) -> Incident:
    """An incident of the user's agencies (administrators: any); another agency's is not there at all (404)."""
    incident = queries.staff_incidents(request.user).filter(slug=slug).select_related("agency").first()
    if incident is None:
        raise Http404("No such incident.")
    return incident


def _managed(request: HttpRequest, slug: str) -> Incident:
    incident = _incident(request, slug)
    if not queries.may_manage(request.user, incident):
        raise PermissionDenied("Only the agency's supervisors and administrators change this incident.")
    return incident


@staff_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = queries.staff_incidents(request.user).select_related("agency").order_by("-declared_at")[:100]
    return render(request, "crisis/staff/incident_list.html", {
        "incidents": incidents, "may_declare": queries.may_manage(request.user), "nav": "manage"})


@staff_required
@require_http_methods(["GET", "POST"])
def incident_declare(request: HttpRequest) -> HttpResponse:
    if not queries.may_manage(request.user):
        raise PermissionDenied("Only supervisors and administrators declare incidents.")
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            incident = actions.declare(
                title_en=data["title_en"], title_es=data["title_es"], summary_en=data["summary_en"],
                summary_es=data["summary_es"], areas=data["areas"], whole_city=data["whole_city"],
                agency=data["agency"], actor=request.user)
            messages.success(request, _("Declared “%(title)s”: its banner is on every portal page.")
                             % {"title": incident.title_en})
            return redirect("crisis:staff-incident", slug=incident.slug)
        return render(request, "crisis/staff/incident_form.html", {"form": form, "nav": "manage"}, status=400)
    return render(request, "crisis/staff/incident_form.html", {"form": form, "nav": "manage"})


@staff_required
@require_GET
def incident_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _incident(request, slug)
    return render(request, "crisis/staff/incident_dashboard.html", {
        "incident": incident, "figures": dashboard.case_figures(incident, visible_cases(request.user)),
        "listening": dashboard.listening_figures(incident), "areas": queries.incident_areas(incident),
        "updates": incident.updates.all()[:20], "broadcasts": incident.broadcasts.all()[:20],
        "may_manage": queries.may_manage(request.user, incident), "update_form": UpdateForm(), "nav": "manage",
        "subscribers": queries.audience(incident).count()})


@staff_required
@require_POST
def incident_update(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _managed(request, slug)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the update in English and in Spanish."))
        return redirect("crisis:staff-incident", slug=slug)
    actions.publish_update(incident, text_en=form.cleaned_data["text_en"], text_es=form.cleaned_data["text_es"],
                           actor=request.user)
    messages.success(request, _("Published the update on the incident's page."))
    return redirect("crisis:staff-incident", slug=slug)


@staff_required
@require_POST
def incident_end(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _managed(request, slug)
    if actions.end(incident, actor=request.user):
        messages.success(request, _("Ended the incident: the portal banner is gone; its page stays, marked ended."))
    return redirect("crisis:staff-incident", slug=slug)


@staff_required
@require_http_methods(["GET", "POST"])
def broadcast_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Write the message; "Check" shows how many copies go where and how long the throttles take; "Send" starts."""
    incident = _managed(request, slug)
    if incident.status != IncidentStatus.ACTIVE:
        raise PermissionDenied("An ended incident takes no broadcasts.")
    form = BroadcastForm(request.POST or None)
    context = {"incident": incident, "form": form, "nav": "manage"}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "crisis/staff/broadcast_form.html", context, status=400)
        data = form.cleaned_data
        if request.POST.get("send") and data.get("confirmed"):
            broadcast = actions.start_broadcast(incident, text_en=data["text_en"], text_es=data["text_es"],
                                                sms_en=data["sms_en"], sms_es=data["sms_es"], actor=request.user)
            return redirect("crisis:staff-broadcast", pk=broadcast.pk)
        context["estimate"] = queries.estimate(incident, data["sms_en"], data["sms_es"])
        form = BroadcastForm({**data, "confirmed": True})
        context["form"] = form
    return render(request, "crisis/staff/broadcast_form.html", context)


def _broadcast(request: HttpRequest, pk: int) -> Broadcast:
    incidents = queries.staff_incidents(request.user)
    broadcast = (Broadcast.objects.select_related("incident", "created_by").filter(pk=pk, incident__in=incidents)
                 .first())
    if broadcast is None:
        raise Http404("No such broadcast.")
    return broadcast


@staff_required
@require_GET
def broadcast_progress(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    template = "crisis/staff/_progress.html" if getattr(request, "htmx", False) else "crisis/staff/broadcast.html"
    return render(request, template, {"broadcast": broadcast, "progress": queries.progress(broadcast),
                                      "incident": broadcast.incident, "nav": "manage"})
