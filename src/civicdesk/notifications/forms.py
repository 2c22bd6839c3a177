"""The notification settings form: for each kind, how the user wants to hear of it."""

from typing import Any

from django import forms

from civicdesk.notifications.models import Delivery, NotificationKind


class SettingsForm(forms.Form):
    """One radio group per kind (fields named after the kinds), set from the user's current choices."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=Delivery.choices, initial=current.get(kind),
                                                  widget=forms.RadioSelect)

    def choices(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in NotificationKind.values}
