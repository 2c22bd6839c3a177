"""Forms of the triage view: the posts' query-string filters (a bad value is a 400, never a 500), an alert's
dismissal (with its reason) or merger into another alert, and a post's misinformation mark."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from civicdesk.crisis.queries import subscribable_areas
from civicdesk.gis.models import Area
from civicdesk.listening.models import Alert, AlertStatus, Category

WINDOW_CHOICES = [("hour", _("The last hour")), ("day", _("The last day")), ("week", _("The last week"))]
YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
LANGUAGES = [("", _("Any")), ("en", _("English")), ("es", _("Spanish"))]


class PostFilterForm(forms.Form):
    """?window=&category=&urgent=&lang=&area=&flagged=&page= (every one optional)."""

    window = forms.ChoiceField(label=_("Time"), choices=WINDOW_CHOICES, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Every relevant category")), *Category.choices])
    urgent = forms.ChoiceField(label=_("Urgent"), choices=YES_NO, required=False)
    lang = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False,
                                  empty_label=_("The whole city"))
    flagged = forms.ChoiceField(label=_("Marked as misinformation"), choices=YES_NO, required=False)
    incident = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)  # posts grouped into it
    page = forms.IntegerField(min_value=1, max_value=10000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = subscribable_areas()
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "usa-select"

    def clean_window(self) -> str:
        return self.cleaned_data.get("window") or "day"


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why dismiss it?"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"}),
                             help_text=_("Kept with the alert. Dismissing changes no setting: to hear less from "
                                         "this stream, lower its sensitivity."))


class MergeForm(forms.Form):
    """One surge seen twice: this alert joins another open or acknowledged alert of its stream."""

    into = forms.ModelChoiceField(label=_("The same surge as"), queryset=Alert.objects.none(), empty_label=None,
                                  widget=forms.Select(attrs={"class": "usa-select"}),
                                  help_text=_("This alert closes as merged; the one kept also covers what it counted."))
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False,
                           widget=forms.TextInput(attrs={"class": "usa-input"}))

    def __init__(self, *args: Any, alert: Alert, visible: QuerySet[Alert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        field.queryset = merge_targets(alert, visible)  # type: ignore[attr-defined]
        field.label_from_instance = lambda other: _("%(when)s: %(posts)s posts (%(terms)s)") % {  # type: ignore[attr-defined]
            "when": date_format(timezone.localtime(other.raised_at), "j M Y H:i"), "posts": other.posts,
            "terms": ", ".join(other.terms[:3]) or "–"}


def merge_targets(alert: Alert, visible: QuerySet[Alert]) -> QuerySet[Alert]:
    """The alerts `alert` may merge into: the stream's other alerts still open or acknowledged, newest first."""
    return (visible.filter(stream_id=alert.stream_id, merged_into__isnull=True,
                           status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
            .exclude(pk=alert.pk).order_by("-raised_at"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    marked = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")], required=False)
