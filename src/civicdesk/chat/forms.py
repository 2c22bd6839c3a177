"""The widget's forms: starting a chat, and leaving a message when nobody is available (prefix "chat")."""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from civicdesk.agencies.models import Agency
from civicdesk.chat.models import ReplyChannel
from civicdesk.contacts.identities import InvalidIdentity, normalize_phone

PREFIX = "chat"


def _kind(field: forms.Field, kind: str, input_type: str = "text") -> forms.Field:
    """Tag a field with how portal/_field.html renders it (the portal's USWDS field markup)."""
    field.kind = kind  # type: ignore[attr-defined]
    field.input_type = input_type  # type: ignore[attr-defined]
    field.inputmode = ""  # type: ignore[attr-defined]
    return field


class StartForm(forms.Form):
    """Who to chat with, the first message, and (optionally) who the resident is and how to answer later."""

    client_id = forms.CharField(widget=forms.HiddenInput, required=False)
    agency = _kind(forms.TypedChoiceField(label=gettext_lazy("Who would you like to chat with?"), coerce=int,
                                          error_messages={"required": gettext_lazy("Choose who to chat with."),
                                                          "invalid_choice": gettext_lazy("Choose who to chat with.")}),
                   "select")
    text = _kind(forms.CharField(label=gettext_lazy("Your message"), strip=True,
                                 error_messages={"required": gettext_lazy("Write your message.")}), "textarea")
    name = _kind(forms.CharField(label=gettext_lazy("Your name (optional)"), required=False, max_length=200),
                 "input")
    email = _kind(forms.EmailField(label=gettext_lazy("Email address (optional)"), required=False, max_length=254,
                                   error_messages={"invalid": gettext_lazy(
                                       "Enter an email address like name@example.com.")}), "input", "email")
    phone = _kind(forms.CharField(label=gettext_lazy("Phone number (optional)"), required=False, max_length=40),
                  "input", "tel")
    reply_channel = _kind(forms.ChoiceField(
        label=gettext_lazy("If we need to answer you after the chat"), required=False,
        choices=[(ReplyChannel.NONE, gettext_lazy("No need")), (ReplyChannel.EMAIL, gettext_lazy("By email")),
                 (ReplyChannel.SMS, gettext_lazy("By text message"))]), "radio")

    def __init__(self, agencies: list[tuple[Agency, bool]], *args: Any, leave: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("client_id", str(uuid.uuid4()))
        kwargs.setdefault("initial", {}).setdefault("reply_channel", ReplyChannel.NONE)
        kwargs["prefix"] = PREFIX
        super().__init__(*args, **kwargs)
        self.leave = leave
        self.agencies = {agency.pk: agency for agency, _staffed in agencies}
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            (str(agency.pk), agency.text("name") if staffed or leave else gettext("%(agency)s (leave a message)") % {
                "agency": agency.text("name")}) for agency, staffed in agencies]
        if leave:
            field = self.fields["reply_channel"]
            field.label = gettext("How should we answer you?")
            field.required = True
            field.choices = [(ReplyChannel.EMAIL, gettext("By email")),  # type: ignore[attr-defined]
                             (ReplyChannel.SMS, gettext("By text message"))]
            field.error_messages["required"] = gettext("Choose how we should answer you: by email or by text message.")

    def clean_client_id(self) -> str:
        value = self.cleaned_data.get("client_id") or ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return str(uuid.uuid4())  # a form without the hidden id (no JavaScript, an old page): a fresh one

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if len(text) > settings.CHAT_MAX_MESSAGE_CHARS:
            raise forms.ValidationError(gettext("Your message is too long: at most %(limit)d characters, this one has "
                                                "%(count)d.") % {"limit": settings.CHAT_MAX_MESSAGE_CHARS,
                                                                 "count": len(text)})
        return text

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return normalize_phone(phone)
        except InvalidIdentity as exc:
            raise forms.ValidationError(gettext("Enter a valid phone number, including the area code.")) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("reply_channel") or ""
        if channel == ReplyChannel.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", gettext("Enter your email address, so we can answer you by email."))
        if channel == ReplyChannel.SMS and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", gettext("Enter your phone number, so we can answer you by text message."))
        return data

    def chosen_agency(self) -> Agency:
        return self.agencies[self.cleaned_data["agency"]]

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary, in the order of the form."""
        links = [(f"id_{PREFIX}-text", str(message)) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            anchor = f"id_{PREFIX}-{name}" + ("_0" if getattr(field, "kind", "") == "radio" else "")
            links += [(anchor, str(message)) for message in self.errors.get(name, [])]
        return links
