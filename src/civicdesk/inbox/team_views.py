"""The supervisors' team page: each person's open load, away status, hand-overs, team members, transfer approval."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.agencies import actions as staff_actions
from civicdesk.cases import actions
from civicdesk.cases.permissions import is_admin, supervised_agency_ids
from civicdesk.cases.workload import open_cases_assigned, pending_transfers
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.forms import staff_label
from civicdesk.inbox.staff_queries import (
    agencies_in_view,
    agency_or_404,
    require_supervisor,
    team_member_or_404,
    team_or_404,
    team_page,
)
from civicdesk.inbox.team_forms import AwayForm, HandOverForm, TeamMemberForm, TransferApprovalForm


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("inbox:team")


def _form_errors(request: HttpRequest, form: object) -> HttpResponse:
    for errors in getattr(form, "errors", {}).values():
        for error in errors:
            messages.error(request, error)
    return _back(request)


@staff_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """Supervisors see the staff of their agencies; administrators every agency's (or one, ?agency=slug)."""
    require_supervisor(request.user)
    agencies = list(agencies_in_view(request.user))
    chosen = request.GET.get("agency", "")[:50]
    if chosen:
        agencies = [a for a in agencies if a.slug == chosen] or agencies
    return render(request, "inbox/team.html", {
        "nav": "team", "sections": team_page(request.user, agencies), "chosen": chosen,
        "agency_choices": agencies_in_view(request.user) if is_admin(request.user) else None,
        "pending_count": pending_transfers(request.user).count(), "me": request.user.pk,
    })


@staff_required
@require_POST
def member_away(request: HttpRequest, pk: int) -> HttpResponse:
    profile = team_member_or_404(request.user, pk)
    form = AwayForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    staff_actions.set_away(profile, actor=request.user, away=form.cleaned_data["away"],
                           until=form.cleaned_data["away_until"])
    name = staff_label(profile.user)
    messages.success(request, _("%(name)s is marked away.") % {"name": name} if profile.away
                     else _("%(name)s is marked available.") % {"name": name})
    return _back(request)


@staff_required
@require_POST
def member_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a person's open cases of one agency to someone else there (or unassign them), each case audited."""
    profile = team_member_or_404(request.user, pk)
    supervised = supervised_agency_ids(request.user)
    theirs = [a.pk for a in profile.agencies.all() if supervised is None or a.pk in supervised]
    form = HandOverForm(request.POST, member=profile.user, agencies=theirs)
    if not form.is_valid():
        return _form_errors(request, form)
    assignee = form.cleaned_data["assignee"]
    moved = actions.hand_over_open_cases(open_cases_assigned([profile.user_id], [form.cleaned_data["agency"]]),
                                         actor=request.user, assignee=assignee)
    values = {"count": moved, "name": staff_label(profile.user),
              "to": staff_label(assignee) if assignee else _("nobody")}
    messages.success(request, ngettext("Handed %(count)d open case of %(name)s to %(to)s.",
                                       "Handed %(count)d open cases of %(name)s to %(to)s.", moved) % values)
    return _back(request)


def _team_member(request: HttpRequest, pk: int, *, add: bool) -> HttpResponse:
    team = team_or_404(request.user, pk)
    form = TeamMemberForm(request.POST, team=team)
    if not form.is_valid():
        return _form_errors(request, form)
    user = form.cleaned_data["member"]
    change = staff_actions.add_team_member if add else staff_actions.remove_team_member
    values = {"name": staff_label(user), "team": team.name}
    if change(team, user.staff, actor=request.user):
        messages.success(request, (_("%(name)s joined %(team)s.") if add else _("%(name)s left %(team)s.")) % values)
    else:
        messages.info(request, (_("%(name)s is already on %(team)s.") if add
                                else _("%(name)s is not on %(team)s.")) % values)
    return _back(request)


@staff_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_member(request, pk, add=True)


@staff_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_member(request, pk, add=False)


@staff_required
@require_POST
def agency_transfer_approval(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, pk)
    form = TransferApprovalForm(request.POST)
    form.is_valid()
    required = bool(form.cleaned_data.get("required"))
    staff_actions.set_transfer_approval(agency, actor=request.user, required=required)
    messages.success(request, (_("Agents' transfers out of %(agency)s now wait for a supervisor's approval.")
                               if required else _("Agents of %(agency)s now transfer cases directly."))
                     % {"agency": agency.name})
    return _back(request)

