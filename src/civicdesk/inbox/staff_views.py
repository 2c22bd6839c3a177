"""The administrators' staff pages: list staff, create an account (a set-password link by email), change a person's
role, agencies and teams, send a new link, deactivate."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.agencies import actions
from civicdesk.agencies.models import StaffProfile
from civicdesk.audit.models import AuditEntry
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.forms import staff_label
from civicdesk.inbox.staff_queries import profiles, require_admin, staff_account_or_404
from civicdesk.inbox.team_forms import ActiveForm, StaffAccountForm

PER_PAGE = 50
HISTORY = 20


@staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    q = request.GET.get("q", "").strip()[:100]
    people = profiles()
    if q:
        people = people.filter(Q(user__username__icontains=q) | Q(user__first_name__icontains=q)
                               | Q(user__last_name__icontains=q) | Q(user__email__icontains=q))
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inbox/staff_list.html", {"nav": "staff", "page": page, "q": q})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_staff(
                actor=request.user, username=data["username"], email=data["email"], first_name=data["first_name"],
                last_name=data["last_name"], role=data["role"], agencies=list(data["agencies"]),
                teams=list(data["teams"]))
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Created the account %(name)s. An email with a link to choose a password is "
                                        "on its way to %(email)s.") % {"name": user.get_username(),
                                                                      "email": user.email})
            return redirect("inbox:staff-member", pk=user.pk)
    status = 400 if form.is_bound else 200
    return render(request, "inbox/staff_form.html", {"nav": "staff", "form": form, "creating": True}, status=status)


def _initial(profile: StaffProfile) -> dict[str, Any]:
    user = profile.user
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email, "role": profile.role,
            "agencies": list(profile.agencies.all()), "teams": list(profile.teams.all())}


@staff_required
@require_http_methods(["GET", "POST"])
def staff_member(request: HttpRequest, pk: int) -> HttpResponse:
    profile = staff_account_or_404(request.user, pk)
    form = StaffAccountForm(request.POST or None, initial=_initial(profile), creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if profile.user_id == request.user.pk and data["role"] != profile.role:
            form.add_error("role", _("You cannot change your own role: ask another administrator."))
        else:
            try:
                actions.update_staff(profile, actor=request.user, role=data["role"], agencies=list(data["agencies"]),
                                     teams=list(data["teams"]), first_name=data["first_name"],
                                     last_name=data["last_name"], email=data["email"])
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved the changes to %(name)s.") % {"name": staff_label(profile.user)})
                return redirect("inbox:staff-member", pk=pk)
    history = (AuditEntry.objects.filter(staff=profile.user).select_related("actor").order_by("-at", "-id")
               [:HISTORY])
    return render(request, "inbox/staff_form.html", {
        "nav": "staff", "form": form, "creating": False, "profile": profile, "person": profile.user,
        "history": history, "is_me": profile.user_id == request.user.pk,
    }, status=400 if form.is_bound else 200)


@staff_required
@require_POST
def staff_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    profile = staff_account_or_404(request.user, pk)
    try:
        actions.send_password_link(profile.user, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("A link to choose a new password is on its way to %(email)s.")
                         % {"email": profile.user.email})
    return redirect("inbox:staff-member", pk=pk)


@staff_required
@require_POST
def staff_active(request: HttpRequest, pk: int) -> HttpResponse:
    profile = staff_account_or_404(request.user, pk)
    form = ActiveForm(request.POST)
    form.is_valid()
    active = bool(form.cleaned_data.get("active"))
    try:
        actions.set_active(profile.user, actor=request.user, active=active)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        name = staff_label(profile.user)
        messages.success(request, _("%(name)s can sign in again.") % {"name": name} if active
                         else _("%(name)s is deactivated and can no longer sign in.") % {"name": name})
    return redirect("inbox:staff-member", pk=pk)
