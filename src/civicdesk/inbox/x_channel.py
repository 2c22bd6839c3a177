"""The X step of the Channels page: connecting the agency's X account, or enabling an existing one, shows the notice
that X's developer agreement requires an Enterprise contract for government use and asks the administrator to confirm
it (who and when are kept on the account and in the audit trail). With the connector off it only says so."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import supervised_agency_ids
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import Provider
from civicdesk.channels.providers.x import actions, contract
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.channel_views import account_or_404, managed_agencies
from civicdesk.inbox.forms import StaffForm
from civicdesk.inbox.staff_queries import require_supervisor


class ConfirmContractForm(StaffForm):
    id_prefix = "x"
    confirm = forms.BooleanField(label=contract.CONFIRMATION, error_messages={"required": gettext_lazy(
        "Confirm the Enterprise contract, or leave X off: without it X's terms do not allow staff to see X content.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].widget.attrs.update({"class": "usa-checkbox__input", "aria-describedby": "x-notice"})


class ConnectXForm(ConfirmContractForm):
    """The account's ids and secrets (never rendered back), or the prefix of the variables holding them."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=gettext_lazy("Agency"),
                                    empty_label=gettext_lazy("Choose an agency"))
    user_id = forms.CharField(max_length=20, label=gettext_lazy("X user id"), help_text=gettext_lazy(
        "The account's number, which never changes (its @handle may)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}))
    handle = forms.CharField(max_length=16, label=gettext_lazy("Handle"), help_text=gettext_lazy(
        "The account's @name, shown to staff."), widget=forms.TextInput(attrs={"autocomplete": "off"}))
    consumer_secret = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("Consumer secret (API secret key) of the X app"),
        help_text=gettext_lazy("It signs X's webhooks. Stored encrypted and never shown again."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}))
    access_token = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("User access token of the agency's X account"),
        help_text=gettext_lazy("Replies are sent with it. Stored encrypted and never shown again."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}))
    variable_prefix = forms.CharField(
        max_length=60, required=False, label=gettext_lazy("Or: prefix of the environment variables holding both"),
        help_text=gettext_lazy("For example X_MAIN: the web and worker processes read X_MAIN_CONSUMER_SECRET and "
                               "X_MAIN_ACCESS_TOKEN; only the prefix is kept."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    field_order = ["agency", "user_id", "handle", "consumer_secret", "access_token", "variable_prefix", "confirm"]

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


@staff_required
@require_http_methods(["GET", "POST"])
def connect_x(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    enabled = contract.connector_enabled()
    form = ConnectXForm(request.POST if request.method == "POST" and enabled else None,
                        agencies=managed_agencies(request.user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            account = actions.connect_x_account(
                agency=data["agency"], user_id=data["user_id"], handle=data["handle"],
                consumer_secret=data["consumer_secret"], access_token=data["access_token"],
                variable_prefix=data["variable_prefix"], confirm_contract=data["confirm"], actor=request.user,
                seen_agency_ids=supervised_agency_ids(request.user))
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Connected %(account)s to %(agency)s, with the Enterprise contract confirmed. "
                                        "Register its webhook address below with X.")
                             % {"account": account.display_name, "agency": account.agency.name})
            return redirect(reverse("inbox:channels") + f"#account-{account.pk}")
    return render(request, "inbox/x_channel.html", {
        "nav": "channels", "form": form, "enabled": enabled, "notice": contract.NOTICE, "disabled": contract.DISABLED,
    }, status=400 if form.is_bound else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def confirm_x_contract(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request.user, pk)
    require_supervisor(request.user)
    if account.provider != Provider.X:
        return redirect(reverse("inbox:channels") + f"#account-{account.pk}")
    enabled = contract.connector_enabled()
    form = ConfirmContractForm(request.POST if request.method == "POST" and enabled else None)
    if form.is_bound and form.is_valid():
        try:
            actions.confirm_contract(account, actor=request.user)
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(account)s is enabled, with the Enterprise contract confirmed.")
                             % {"account": account.display_name or account.address})
            return redirect(reverse("inbox:channels") + f"#account-{account.pk}")
    return render(request, "inbox/x_channel.html", {
        "nav": "channels", "form": form, "enabled": enabled, "notice": contract.NOTICE, "disabled": contract.DISABLED,
        "account": account,
    }, status=400 if form.is_bound else 200)
