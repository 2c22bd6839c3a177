"""The Channels page of administrators: our numbers and other channel accounts with their health and webhook
addresses, connecting a Twilio number to an agency, disabling and enabling one. Site administrators see every
agency's accounts; an agency's supervisors (its administrators) only their agencies'."""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import supervised_agency_ids
from civicdesk.channels import actions, queries
from civicdesk.channels.models import ChannelAccount
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.channel_forms import ConnectTwilioForm
from civicdesk.inbox.staff_queries import require_supervisor


def managed_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies whose numbers this user connects and sees: all for an administrator."""
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    scope = supervised_agency_ids(user)
    return agencies if scope is None else agencies.filter(pk__in=scope)


def account_or_404(user: Any, pk: int) -> ChannelAccount:
    scope = supervised_agency_ids(user)
    found = ChannelAccount.objects.select_related("agency").filter(pk=pk)
    account = (found if scope is None else found.filter(agency_id__in=scope)).first()
    if account is None:
        raise Http404("No such channel account.")
    return account


@staff_required
@require_http_methods(["GET", "POST"])
def channel_list(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    scope = supervised_agency_ids(request.user)
    agencies = managed_agencies(request.user)
    form = ConnectTwilioForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = actions.connect_twilio_number(
                agency=data["agency"], number=data["number"], account_sid=data["account_sid"],
                auth_token=data["auth_token"], token_variable=data["token_variable"],
                display_name=data["display_name"], actor=request.user, seen_agency_ids=scope)
        except actions.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Connected %(number)s to %(agency)s. Paste its three addresses below into "
                                        "Twilio's console.") % {"number": account.address,
                                                                "agency": account.agency.name})
            return redirect(reverse("inbox:channels") + f"#account-{account.pk}")
    rows = queries.health(queries.accounts(scope))
    return render(request, "inbox/channels.html", {"nav": "channels", "rows": rows, "form": form},
                  status=400 if form.is_bound else 200)


@staff_required
@require_POST
def channel_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request.user, pk)  # another agency's (or, for an agent, any) account is not there
    require_supervisor(request.user)
    choice = request.POST.get("active")
    if choice not in ("on", "off"):  # the button says which: nothing is changed on a guess
        return HttpResponseBadRequest(_("Say whether to enable or disable the account."))
    active = choice == "on"
    actions.set_account_active(account, active=active, actor=request.user)
    label = account.address or str(account)
    messages.success(request, _("%(account)s is enabled again.") % {"account": label} if active
                     else _("%(account)s is disabled: its webhooks answer “not found” until it is enabled.")
                     % {"account": label})
    return redirect(reverse("inbox:channels") + f"#account-{account.pk}")
