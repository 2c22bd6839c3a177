"""The staff form for a service initiative: name, description, agency, area, services and dates."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.permissions import is_admin
from civicdesk.gis.initiatives import agency_choices, area_choices, service_choices
from civicdesk.gis.models import Area, Initiative
from civicdesk.inbox.forms import uswds_widgets

MAX_ID = 2**63 - 1  # a larger number reaches the database as an error (SQLite: OverflowError), not as "no such row"


def _plausible_id(value: Any) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


class IdChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice by primary key that refuses what cannot be one before asking the database."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _plausible_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class AreaChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.type.name}: {obj.name}"


class ServiceChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.agency.name})"

    def _check_values(self, value: Any) -> Any:
        for item in value:
            if not _plausible_id(item):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": str(item)[:40]})
        return super()._check_values(value)  # type: ignore[misc]


class InitiativeForm(forms.Form):
    """Field names carry the prefix "initiative" (initiative-name, ...), so they never meet another staff form's."""

    prefix = "initiative"

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("What changes, and what you hope it does."))
    agency = IdChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False,
                                    empty_label=None)
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(),
                           help_text=_("The boundary the initiative covers; the map below shows it."))
    services = ServiceChoiceField(label=_("Services"), queryset=Service.objects.none(), required=False,
                                  widget=forms.CheckboxSelectMultiple,
                                  help_text=_("None chosen: every service counts in the before-and-after report."))
    start = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          help_text=_("Leave empty while it goes on."))

    def __init__(self, *args: Any, user: Any, initiative: Initiative | None = None, **kwargs: Any) -> None:
        if initiative is not None and initiative.pk and "initial" not in kwargs:
            kwargs["initial"] = {"name": initiative.name, "description": initiative.description,
                                 "agency": initiative.agency_id, "area": initiative.area_id,
                                 "services": list(initiative.services.values_list("pk", flat=True)),
                                 "start": initiative.start, "end": initiative.end}
        super().__init__(*args, **kwargs)
        agencies = agency_choices(user)
        agency_field: forms.ModelChoiceField = self.fields["agency"]  # type: ignore[type-arg,assignment]
        agency_field.queryset = agencies
        if is_admin(user):  # only administrators may leave it city-wide
            agency_field.empty_label = _("City-wide (no agency)")
            agency_field.help_text = _("City-wide initiatives are seen by all staff and changed by administrators.")
        else:
            agency_field.required = True
            agency_field.help_text = _("Staff of this agency see the initiative; its supervisors change it.")
        self.fields["area"].queryset = area_choices(initiative.area if initiative and initiative.pk else None)  # type: ignore[attr-defined]
        self.fields["services"].queryset = service_choices(user)  # type: ignore[attr-defined]
        uswds_widgets(self)
        self.fields["services"].widget.attrs["class"] = "usa-checkbox__input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        agency, services = data.get("agency"), data.get("services") or []
        if agency is not None:
            strangers = [s.name for s in services if s.agency_id != agency.pk]
            if strangers:
                self.add_error("services", _("These services belong to another agency: %(names)s.")
                               % {"names": ", ".join(strangers)})
        return data
