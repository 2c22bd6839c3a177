"""A team's assignment settings (supervisors of its agency), and an agent marking themself away or back."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.agencies import actions as staff_actions
from civicdesk.agencies.models import StaffProfile
from civicdesk.assignment import actions, queries
from civicdesk.assignment.models import AssignmentMode, TeamAgent
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.staff_queries import team_or_404
from civicdesk.inbox.team_forms import MyAwayForm, TeamAssignmentForm


@staff_required
@require_http_methods(["GET", "POST"])
def team_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    """How the team's cases find their agents: the rule, the capacity, returning cases, each member's own capacity,
    and who is available now and why not."""
    team = team_or_404(request.user, pk)
    policy = queries.policy_of(team.pk)
    found = queries.candidates(team, policy)
    members = [c.user for c in found]
    if request.method == "POST":
        form = TeamAssignmentForm(request.POST, members=members)
        if form.is_valid():
            data = form.cleaned_data
            actions.save_settings(team, actor=request.user, mode=data["mode"], capacity=data["capacity"],
                                  return_when_away=data["return_when_away"], own_capacities=form.own_capacities())
            messages.success(request, _("The assignment settings of %(team)s are saved; they apply to the next "
                                        "case.") % {"team": team.name})
            return redirect("inbox:team-assignment", pk=team.pk)
        status = 400
    else:
        own = dict(TeamAgent.objects.filter(team=team).values_list("user_id", "capacity"))
        form = TeamAssignmentForm(members=members, initial={
            "mode": policy.mode if policy else AssignmentMode.MANUAL,
            "capacity": policy.capacity if policy else queries.DEFAULT_CAPACITY,
            "return_when_away": policy.return_when_away if policy else False,
            **{f"own_{user_id}": value for user_id, value in own.items()}})
        status = 200
    rows = [(c, form[f"own_{c.user.pk}"]) for c in found]
    return render(request, "inbox/team_assignment.html", {
        "nav": "team", "team": team, "form": form, "rows": rows,
        "waiting": queries.waiting_cases(team.pk).count(),
        "active_minutes": queries.active_after_minutes(),
    }, status=status)


@staff_required
@require_POST
def my_away(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member marks themself away (no new cases, and perhaps their unanswered ones go back to
    the queue) or back."""
    profile = StaffProfile.objects.filter(user_id=int(request.user.pk or 0)).first()
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False) \
            or not back.startswith("/"):
        back = ""
    if profile is None:
        messages.error(request, _("Only staff members with a profile can be marked away."))
        return redirect(back or "inbox:inbox")
    form = MyAwayForm(request.POST)
    form.is_valid()
    away = bool(form.cleaned_data.get("away"))
    staff_actions.set_away(profile, actor=request.user, away=away)
    messages.success(request, _("You are marked away: no new cases come to you automatically.") if away
                     else _("You are back: new cases can come to you again."))
    return redirect(back or "inbox:inbox")
