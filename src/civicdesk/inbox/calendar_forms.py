"""Forms of the Calendars page: an agency's weekly hours (one line per day), a closure, and iCal closures."""

import re
from datetime import date, time
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.calendars.models import Weekday

PERIOD = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def parse_periods(text: str) -> list[tuple[time, time]]:
    """ "08:00-12:00, 13:00-17:00" -> [(08:00, 12:00), (13:00, 17:00)]; "" or "closed" -> []; 24:00 is midnight."""
    text = (text or "").strip()
    if not text or text.lower() in ("closed", _("closed").lower()):
        return []
    periods = []
    for part in text.split(","):
        found = PERIOD.match(part)
        if found is None:
            raise forms.ValidationError(_("Write the hours like 08:00-17:00, or 08:00-12:00, 13:00-17:00; leave it "
                                          "empty when closed."))
        h1, m1, h2, m2 = (int(v or 0) for v in found.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise forms.ValidationError(_("%(text)s is not a time of day.") % {"text": part.strip()})
        opens, closes = time(h1, m1), time(0) if h2 == 24 else time(h2, m2)
        if closes != time(0) and closes <= opens:
            raise forms.ValidationError(_("The closing time must come after the opening time."))
        periods.append((opens, closes))
    return sorted(periods)


def show_periods(periods: list[tuple[time, time]]) -> str:
    return ", ".join(f"{o:%H:%M}-{'24:00' if c == time(0) else f'{c:%H:%M}'}" for o, c in periods)


class HoursForm(forms.Form):
    """One text box per weekday."""

    def __init__(self, *args: Any, week: list[list[tuple[time, time]]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            initial = show_periods(week[day.value]) if week else ""
            self.fields[f"day{day.value}"] = forms.CharField(
                label=day.label, required=False, initial=initial, max_length=120,
                widget=forms.TextInput(attrs={"class": "usa-input", "placeholder": _("closed")}))

    def week(self) -> list[list[tuple[time, time]]]:
        return [self.cleaned_data[f"day{day}"] for day in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in range(7):
            name = f"day{day}"
            if name in data:
                try:
                    data[name] = parse_periods(data[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class ClosureForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200,
                           help_text=gettext_lazy("For example: Snow day."),
                           widget=forms.TextInput(attrs={"class": "usa-input"}))
    first_day = forms.DateField(label=gettext_lazy("First day"),
                                widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}))
    last_day = forms.DateField(label=gettext_lazy("Last day"), required=False,
                               help_text=gettext_lazy("Leave empty for a single day."),
                               widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if isinstance(first, date) and isinstance(last, date) and last < first:
            self.add_error("last_day", _("The last day must not come before the first day."))
        return data


class IcalForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("An iCal file (.ics) of closures"), required=False,
                           widget=forms.ClearableFileInput(attrs={"class": "usa-file-input",
                                                                  "accept": ".ics,text/calendar"}))
    url = forms.URLField(label=gettext_lazy("Or a feed address, read every hour (empty: no feed)"), required=False,
                         assume_scheme="https", widget=forms.URLInput(attrs={"class": "usa-input"}))
