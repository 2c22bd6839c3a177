"""Forms of crisis mode's staff pages: declare an incident, publish an update, write a broadcast (the resident's
sign-up form is subscribe_form.py)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.gis.lookup import active_generation_key
from civicdesk.gis.models import Area


class Styled(forms.Form):
    """USWDS classes on the widgets, and aria-describedby naming each field's hint and error (crisis/_field.html)."""

    def style(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput,
                                   forms.CheckboxInput)):
                continue
            kind = ("usa-textarea" if isinstance(widget, forms.Textarea) else
                    "usa-select" if isinstance(widget, forms.Select) else "usa-input")
            described = []
            auto_id = self[name].auto_id
            if field.help_text:
                described.append(f"{auto_id}-hint")
            if name in self.errors:
                described.append(f"{auto_id}-error")
                widget.attrs["aria-invalid"] = "true"
                kind += " usa-input--error"
            widget.attrs["class"] = kind
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self) -> None:
        super().full_clean()
        self.style()


class IncidentForm(Styled):
    title_en = forms.CharField(label=_("Title in English"), max_length=120)
    title_es = forms.CharField(label=_("Title in Spanish"), max_length=120)
    summary_en = forms.CharField(label=_("Summary in English"), max_length=600,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("One or two sentences: what is happening and what residents should do."))
    summary_es = forms.CharField(label=_("Summary in Spanish"), max_length=600,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    whole_city = forms.BooleanField(label=_("The whole city"), required=False)
    areas = forms.ModelMultipleChoiceField(label=_("Affected areas"), queryset=Area.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = active_generation_key()
        current = (Area.objects.filter(generation_low_id__lte=key[0], generation_high_id__gte=key[0])
                   .exclude(type__is_jurisdiction=True).select_related("type")
                   .order_by("type__display_order", "type_id", "name")) if key else Area.objects.none()
        self.fields["areas"].queryset = current  # type: ignore[attr-defined]
        self.fields["areas"].label_from_instance = lambda a: f"{a.type.name}: {a.name}"  # type: ignore[attr-defined]
        agencies = Agency.objects.order_by("name")
        chosen = agencies if is_admin(user) else agencies.filter(pk__in=agency_ids(user))
        self.fields["agency"].queryset = chosen  # type: ignore[attr-defined]
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("whole_city") and not data.get("areas"):
            self.add_error("areas", _("Choose the affected areas, or tick the whole city."))
        return data


class UpdateForm(Styled):
    text_en = forms.CharField(label=_("Update in English"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    text_es = forms.CharField(label=_("Update in Spanish"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class BroadcastForm(Styled):
    text_en = forms.CharField(label=_("Message in English"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Goes by email, on the incident's page and banner."))
    text_es = forms.CharField(label=_("Message in Spanish"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    sms_en = forms.CharField(label=_("Text message in English"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Short: each text ends with “Reply STOP to end alerts.” Also the social "
                                         "media post, with a link to the incident's page."))
    sms_es = forms.CharField(label=_("Text message in Spanish"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
