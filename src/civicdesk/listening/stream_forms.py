"""The staff form of a listening stream: its source, its rules (keywords and phrases, hashtags, accounts, languages,
a geographic box), how sensitive its surge detector is and how long its posts are kept. Lists are typed one per
line (or separated by commas); the crisis word list learned from CrisisLex T6 can be added as a starting point."""

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from civicdesk.agencies.models import Agency
from civicdesk.channels.models import ChannelAccount, Provider
from civicdesk.listening.models import LIVE_SOURCES, SourceKind, Stream
from civicdesk.listening.scoring import default_scorer

MAX_ITEMS = 2000
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
BOX_FIELDS = ("west", "south", "east", "north")


def crisis_terms() -> list[str]:
    """The starting keyword list shipped in the model file (words relevant in at least three CrisisLex events)."""
    return list(default_scorer().terms)


def _items(text: str) -> list[str]:
    """Lines or comma-separated entries, in lower case, in order, without repeats."""
    found = [item.strip().lower() for item in re.split(r"[\n,]", text or "") if item.strip()]
    return list(dict.fromkeys(found))


class ListField(forms.CharField):
    """A list typed one item per line (or separated by commas), kept in order without repeats."""

    def __init__(self, *, prefix: str = "", **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 60000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "usa-textarea"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        items = _items(super().clean(value))
        if self.prefix:
            items = list(dict.fromkeys(self.prefix + item.lstrip(self.prefix) for item in items))
        if len(items) > MAX_ITEMS:
            raise forms.ValidationError(_("At most %(n)s entries.") % {"n": MAX_ITEMS})
        if any(len(item) > 200 for item in items):
            raise forms.ValidationError(_("An entry is longer than 200 characters."))
        return items


class StreamForm(forms.ModelForm):
    keywords = ListField(label=_("Keywords and phrases"), help_text=_(
        "One per line. A post matches when it holds one of them; case does not matter."))
    add_crisis_terms = forms.BooleanField(required=False, label=_("Add the crisis word list"))
    hashtags = ListField(label=_("Hashtags"), prefix="#", help_text=_("One per line, with or without #."))
    accounts = ListField(label=_("Accounts"), help_text=_("One handle per line: every post of these accounts."))
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200,
                                widget=forms.TextInput(attrs={"class": "usa-input"}),
                                help_text=_("Codes such as en, es, separated by commas; empty: every language."))
    west = forms.FloatField(label=_("West (longitude)"), required=False, min_value=-180, max_value=180)
    south = forms.FloatField(label=_("South (latitude)"), required=False, min_value=-90, max_value=90)
    east = forms.FloatField(label=_("East (longitude)"), required=False, min_value=-180, max_value=180)
    north = forms.FloatField(label=_("North (latitude)"), required=False, min_value=-90, max_value=90)
    sensitivity = forms.FloatField(label=_("Sensitivity"), min_value=0.25, max_value=4, initial=1.0,
                                   help_text=Stream._meta.get_field("sensitivity").help_text)
    retention_days = forms.IntegerField(label=_("Days posts are kept"), min_value=1, max_value=3650, initial=30)

    class Meta:
        model = Stream
        fields = ["name", "agency", "source", "source_url", "channel_account", "keywords", "hashtags", "accounts",
                  "languages", "sensitivity", "retention_days", "active"]

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["agency"].required = True
        self.fields["agency"].empty_label = None  # type: ignore[attr-defined]
        self.fields["source"].choices = [(value, label) for value, label in SourceKind.choices  # type: ignore[attr-defined]
                                         if value in LIVE_SOURCES]
        self.fields["channel_account"].queryset = ChannelAccount.objects.filter(  # type: ignore[attr-defined]
            provider=Provider.MASTODON, agency__in=agencies).order_by("display_name")
        self.fields["channel_account"].required = False
        self.fields["add_crisis_terms"].help_text = _(
            "%(n)s words that were relevant in at least three of the six CrisisLex T6 disasters, added to the "
            "keywords: a starting point to trim.") % {"n": len(crisis_terms())}
        if self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.languages)
            for name, value in zip(BOX_FIELDS, self.instance.box or [None] * 4, strict=False):
                self.initial[name] = value
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "usa-select")
            elif isinstance(widget, (forms.TextInput, forms.NumberInput, forms.URLInput)):
                widget.attrs.setdefault("class", "usa-input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "usa-checkbox__input")

    def clean_languages(self) -> list[str]:
        codes = _items(self.cleaned_data.get("languages", ""))
        bad = [code for code in codes if not LANGUAGE_CODE.match(code)]
        if bad:
            raise forms.ValidationError(_("Not a language code: %(codes)s (two or three letters, such as en).")
                                        % {"codes": ", ".join(bad)})
        return codes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        box = [cleaned.get(name) for name in BOX_FIELDS]
        if any(value is not None for value in box):
            if any(value is None for value in box):
                raise forms.ValidationError(_("Give all four sides of the box, or none (the jurisdiction's extent)."))
            if box[0] >= box[2] or box[1] >= box[3]:  # type: ignore[operator]
                raise forms.ValidationError(_("The box's west must be less than its east, and south than north."))
        if cleaned.get("add_crisis_terms"):
            cleaned["keywords"] = list(dict.fromkeys([*cleaned.get("keywords", []), *crisis_terms()]))
        self.instance.box = box if box[0] is not None else []
        return cleaned
