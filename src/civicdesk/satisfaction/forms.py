"""The public survey and "Is it fixed?" forms: a score from 1 to 5 (or yes/no) and an optional comment."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def _kind(field: forms.Field, kind: str) -> forms.Field:
    """Tag a field with how the portal's USWDS field template (portal/_field.html) renders it."""
    field.kind = kind  # type: ignore[attr-defined]
    field.input_type, field.inputmode = "text", ""  # type: ignore[attr-defined]
    return field

MAX_COMMENT = 2000
SCORES = [("5", _("5 – Excellent")), ("4", _("4 – Good")), ("3", _("3 – Fair")), ("2", _("2 – Poor")),
          ("1", _("1 – Very poor"))]
FIXED = [("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))]


def _comment(label: Any) -> forms.Field:
    return _kind(forms.CharField(label=label, required=False, max_length=MAX_COMMENT, error_messages={
        "max_length": _("The comment can have at most %(limit_value)s characters (it has %(show_value)s).")}),
        "textarea")


class AnswerForm(forms.Form):
    def error_links(self) -> list[tuple[str, str]]:
        return [(f"id_{name}_0" if name in ("score", "fixed") else f"id_{name}", str(message))
                for name, errors in self.errors.items() for message in errors]


class SurveyForm(AnswerForm):
    score = _kind(forms.ChoiceField(label=_("How satisfied are you with how we handled your request?"),
                                    choices=SCORES, error_messages={
                                        "required": _("Choose a score from 1 to 5."),
                                        "invalid_choice": _("Choose a score from 1 to 5.")}), "radio")
    comment = _comment(_("Anything you would like to tell us? (optional)"))


class FixCheckForm(AnswerForm):
    fixed = _kind(forms.ChoiceField(label=_("Is the problem fixed?"), choices=FIXED, error_messages={
        "required": _("Choose yes or no."), "invalid_choice": _("Choose yes or no.")}), "radio")
    comment = _comment(_("What is still wrong, or anything else? (optional)"))
