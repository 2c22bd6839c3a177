"""The resident's alert sign-up form (portal, English and Spanish): email or text, an area or the whole city."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.crisis import queries
from civicdesk.crisis.forms import Styled
from civicdesk.crisis.models import AlertChannel
from civicdesk.crisis.subscriptions import valid_address

WHOLE_CITY = "city"


class SubscribeForm(Styled):
    channel = forms.ChoiceField(label=_("How should we reach you?"), widget=forms.RadioSelect,
                                choices=[(AlertChannel.EMAIL, _("By email")), (AlertChannel.SMS, _("By text message"))])
    email = forms.CharField(label=_("Email address"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Mobile phone number"), required=False, max_length=30,
                            help_text=_("For example, 215-555-0123."),
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    area = forms.ChoiceField(label=_("Alerts for"), required=False)
    address = forms.CharField(label=_("Or find your area by address"), required=False, max_length=200,
                              help_text=_("We use it only to find your area; it is not kept."),
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = [(WHOLE_CITY, _("The whole city")), *((str(a.pk), a.name) for a in queries.subscribable_areas())]
        self.fields["area"].choices = areas  # type: ignore[attr-defined]
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        if channel == AlertChannel.EMAIL:
            if not data.get("email"):
                self.add_error("email", _("Enter your email address."))
            elif not valid_address(AlertChannel.EMAIL, data["email"]):
                self.add_error("email", _("Enter an email address like name@example.com."))
        elif channel == AlertChannel.SMS:
            if not data.get("phone"):
                self.add_error("phone", _("Enter your mobile phone number."))
            elif not valid_address(AlertChannel.SMS, data["phone"]):
                self.add_error("phone", _("Enter a mobile phone number like 215-555-0123."))
        return data
