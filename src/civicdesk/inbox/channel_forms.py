"""The form of the Channels page: connect a Twilio number to one of the agencies the admin manages."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from civicdesk.agencies.models import Agency
from civicdesk.inbox.forms import StaffForm


class ConnectTwilioForm(StaffForm):
    """Number, Account SID and the auth token (never rendered back) or the name of the variable holding it."""

    id_prefix = "twilio"
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=gettext_lazy("Agency"),
                                    empty_label=gettext_lazy("Choose an agency"))
    number = forms.CharField(max_length=40, label=gettext_lazy("Twilio phone number"),
                             help_text=gettext_lazy("With its country code, as Twilio's console shows it: "
                                                    "+12155550100."),
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    account_sid = forms.CharField(max_length=34, label=gettext_lazy("Account SID"),
                                  help_text=gettext_lazy("“AC” and 32 letters and digits, from Twilio's console."),
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    auth_token = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("Auth token"), strip=True,
        help_text=gettext_lazy("Stored encrypted and never shown again. Leave it empty to name an environment "
                               "variable instead."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}))
    token_variable = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Or: environment variable holding the auth token"),
        help_text=gettext_lazy("Its name ends in _AUTH_TOKEN, for example TWILIO_MAIN_AUTH_TOKEN; only the name is "
                               "kept, and the web and worker processes read the token from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    display_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Name for staff (optional)"),
                                   help_text=gettext_lazy("For example: Public Works text line."))

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("auth_token") and not data.get("token_variable"):
            self.add_error("auth_token", gettext_lazy("Give the auth token, or the name of the environment variable "
                                                      "holding it."))
        elif data.get("auth_token") and data.get("token_variable"):
            self.add_error("token_variable", gettext_lazy("Give the auth token or a variable's name, not both."))
        return data
