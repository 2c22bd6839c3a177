"""The forms of a logged phone call: on a case, or as a new case from the desk (with its service)."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from civicdesk.agencies.models import Service
from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.contacts.identities import InvalidIdentity, normalize_phone
from civicdesk.inbox.forms import StaffForm
from civicdesk.telephony.models import CallDirection, CallOutcome

DURATION_RE = re.compile(r"^\s*(\d{1,3})(?::([0-5]\d))?\s*$")
NOTES_LENGTH = 5000


def parse_duration(text: str) -> int | None:
    """"5" is five minutes, "5:30" five and a half, "0:45" forty-five seconds; "" is unknown."""
    if not text.strip():
        return None
    match = DURATION_RE.match(text)
    if match is None:
        raise forms.ValidationError(gettext("Give minutes, or minutes and seconds like 4:30."))
    return int(match.group(1)) * 60 + int(match.group(2) or 0)


class LogCallForm(StaffForm):
    id_prefix = "call"
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=CallDirection.choices,
                                  initial=CallDirection.INBOUND)
    number = forms.CharField(label=gettext_lazy("Resident's phone number"), max_length=40,
                             help_text=gettext_lazy("For example (215) 555-0134 or +12155550134."),
                             widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    duration = forms.CharField(label=gettext_lazy("Duration"), required=False, max_length=8,
                               help_text=gettext_lazy("Minutes, or minutes and seconds like 4:30."))
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"),
                                choices=[(v, label) for v, label in CallOutcome.choices if v != CallOutcome.VOICEMAIL])
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=NOTES_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def clean_number(self) -> str:
        try:
            return normalize_phone(str(self.cleaned_data["number"]))
        except InvalidIdentity:
            raise forms.ValidationError(gettext("Enter a valid phone number, with its area code.")) from None

    def clean_duration(self) -> int | None:
        return parse_duration(str(self.cleaned_data.get("duration") or ""))

    def call_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"direction": data["direction"], "number": data["number"], "duration_seconds": data["duration"],
                "outcome": data["outcome"], "notes": data["notes"]}


class NewCallCaseForm(LogCallForm):
    """A call that starts a case: what it is about decides the agency (one of the agent's own)."""

    id_prefix = "newcall"
    field_order = ["service", "direction", "number", "duration", "outcome", "notes"]
    service = forms.ModelChoiceField(label=gettext_lazy("What the call is about"), queryset=Service.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = Service.objects.filter(is_active=True).select_related("agency").order_by("agency__name", "name")
        if not is_admin(user):
            services = services.filter(agency_id__in=agency_ids(user))
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services
        field.label_from_instance = lambda s: f"{s.agency.name}: {s.name}"  # type: ignore[method-assign,assignment]
