"""The Targets page of supervisors: each agency's SLA policies (which cases they apply to, their targets, clock,
pauses, warning and escalation), to add, change and remove. Administrators see every agency; supervisors their own;
another agency's policy is not there (404)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.agencies.models import Agency
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.calendar_views import agency_or_404
from civicdesk.inbox.channel_views import managed_agencies
from civicdesk.inbox.sla_forms import PolicyForm
from civicdesk.inbox.staff_queries import require_supervisor
from civicdesk.slas import actions
from civicdesk.slas.models import SlaPolicy
from civicdesk.slas.queries import policies_of


def policy_or_404(agency: Agency, pk: int) -> SlaPolicy:
    found = SlaPolicy.objects.select_related("agency", "service").filter(agency=agency, pk=pk).first()
    if found is None:
        raise Http404("No such policy.")
    return found


@staff_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    agencies = list(managed_agencies(request.user))
    policies = list(policies_of([a.pk for a in agencies]))
    sections = [(agency, [p for p in policies if p.agency_id == agency.pk]) for agency in agencies]
    return render(request, "inbox/sla_policies.html", {"nav": "manage", "sections": sections})


def _form_page(request: HttpRequest, agency: Agency, form: PolicyForm, policy: SlaPolicy | None,
               status: int = 200) -> HttpResponse:
    return render(request, "inbox/sla_policy_form.html", {"nav": "manage", "agency": agency, "form": form,
                                                           "policy": policy}, status=status)


def _save(request: HttpRequest, agency: Agency, policy: SlaPolicy | None) -> HttpResponse:
    form = PolicyForm(request.POST, agency=agency)
    if not form.is_valid():
        return _form_page(request, agency, form, policy, status=400)
    saved = actions.save_policy(form.apply(policy or SlaPolicy()), actor=request.user)
    messages.success(request, _("The policy “%(name)s” of %(agency)s is saved.") % {"name": saved.name,
                                                                                    "agency": agency.name})
    return redirect(reverse("inbox:sla-policies") + f"#agency-{agency.pk}")


@staff_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)  # another agency's (or, for an agent, any) is not there
    require_supervisor(request.user)
    if request.method == "POST":
        return _save(request, agency, None)
    return _form_page(request, agency, PolicyForm(agency=agency, initial={"pause_statuses": ["waiting"],
                                                                          "warn_percent": 80, "is_active": True,
                                                                          "hours": "business"}), None)


@staff_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, agency_pk: int, pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)
    require_supervisor(request.user)
    policy = policy_or_404(agency, pk)
    if request.method == "POST":
        return _save(request, agency, policy)
    return _form_page(request, agency, PolicyForm.of(policy), policy)


@staff_required
@require_POST
def policy_delete(request: HttpRequest, agency_pk: int, pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)
    require_supervisor(request.user)
    policy = policy_or_404(agency, pk)
    actions.delete_policy(policy, actor=request.user)
    messages.success(request, _("The policy “%(name)s” is removed.") % {"name": policy.name})
    return redirect(reverse("inbox:sla-policies") + f"#agency-{agency.pk}")

