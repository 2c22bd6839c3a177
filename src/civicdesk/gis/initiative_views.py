"""Staff pages of service initiatives: the list, the before-and-after report, and the form to create or change one."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.cases.permissions import visible_cases
from civicdesk.gis.actions import save_initiative
from civicdesk.gis.forms import InitiativeForm
from civicdesk.gis.impact import initiative_impact
from civicdesk.gis.initiatives import may_change, may_create, visible_initiatives
from civicdesk.gis.map_views import tile_settings
from civicdesk.gis.models import Initiative
from civicdesk.inbox.access import staff_required


def _visible_or_404(request: HttpRequest, pk: int) -> Initiative:
    initiative = visible_initiatives(request.user).filter(pk=pk).first()
    if initiative is None:
        raise Http404("No such initiative.")
    return initiative


@staff_required
@require_GET
def initiative_list(request: HttpRequest) -> HttpResponse:
    initiatives = visible_initiatives(request.user).prefetch_related("services")
    return render(request, "gis/initiative_list.html", {
        "initiatives": initiatives, "may_create": may_create(request.user), "nav": "initiatives"})


@staff_required
@require_GET
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _visible_or_404(request, pk)
    report = initiative_impact(initiative, visible_cases(request.user))
    return render(request, "gis/initiative_detail.html", {
        "initiative": initiative, "report": report, "may_change": may_change(request.user, initiative),
        "services": list(initiative.services.all()), "nav": "initiatives", **tile_settings()})


def _form_page(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    """GET shows the form; POST saves through gis.actions.save_initiative, or shows the form again (400)."""
    if request.method == "POST":
        form = InitiativeForm(request.POST, user=request.user, initiative=initiative)
        if form.is_valid():
            new = initiative.pk is None
            save_initiative(initiative, form.cleaned_data, actor=request.user)
            messages.success(request, (_("Created the initiative “%(name)s”.") if new else
                                       _("Saved the initiative “%(name)s”.")) % {"name": initiative.name})
            return redirect("gis:initiative", pk=initiative.pk)
        status = 400
    else:
        form = InitiativeForm(user=request.user, initiative=initiative)
        status = 200
    context: dict[str, Any] = {"form": form, "initiative": initiative, "nav": "initiatives", **tile_settings()}
    return render(request, "gis/initiative_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest) -> HttpResponse:
    if not may_create(request.user):
        return render(request, "gis/initiative_refused.html", {"nav": "initiatives"}, status=403)
    return _form_page(request, Initiative())


@staff_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _visible_or_404(request, pk)
    if not may_change(request.user, initiative):
        return render(request, "gis/initiative_refused.html", {"nav": "initiatives", "initiative": initiative},
                      status=403)
    return _form_page(request, initiative)
