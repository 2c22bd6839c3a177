"""Forms of the contact directory and contact pages: search, the edit form, identities, notes."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from civicdesk.contacts.models import ContactKind, IdentityKind
from civicdesk.contacts.queries import SEARCH_LENGTH
from civicdesk.inbox.forms import StaffForm
from civicdesk.web.params import MAX_PAGE

IDENTITY_LENGTH = 320  # Identity.value


class ContactSearchForm(StaffForm):
    """GET parameters of the directory (and the merge search): bad values are reported and ignored, never a crash."""

    id_prefix = "contacts"
    q = forms.CharField(required=False, max_length=SEARCH_LENGTH, label=gettext_lazy("Search contacts"))
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "")

    @property
    def query(self) -> str:
        self.is_valid()  # a bad page number leaves the search standing: each field is read on its own
        return str(self.cleaned_data.get("q") or "")

    @property
    def page_number(self) -> int:
        self.is_valid()
        return int(self.cleaned_data.get("page") or 1)


def identity_kind_label(kind: str) -> str:
    """What staff call an identity kind: "Phone number" rather than the model's "Phone (E.164)"."""
    if kind == IdentityKind.PHONE:
        return str(gettext_lazy("Phone number"))
    return str(dict(IdentityKind.choices).get(kind, kind))


def identity_kind_choices() -> list[tuple[str, str]]:
    return [(kind, identity_kind_label(kind)) for kind in IdentityKind.values]


def language_choices() -> list[tuple[str, Any]]:
    return [("", gettext_lazy("Not known (the site's language)")), *settings.LANGUAGES]


class ContactEditForm(StaffForm):
    id_prefix = "contact_edit"
    display_name = forms.CharField(required=False, max_length=200, label=gettext_lazy("Name"))
    kind = forms.ChoiceField(choices=ContactKind.choices, label=gettext_lazy("Type"))
    language = forms.ChoiceField(choices=language_choices, required=False, label=gettext_lazy("Language"),
                                 help_text=gettext_lazy("Mail and replies to this contact are written in it."))


class IdentityAddForm(StaffForm):
    id_prefix = "identity_add"
    kind = forms.ChoiceField(choices=identity_kind_choices, label=gettext_lazy("Kind"))
    value = forms.CharField(max_length=IDENTITY_LENGTH, label=gettext_lazy("Address, number or handle"),
                            help_text=gettext_lazy("Phone numbers in any format (US numbers need no +1); handles with "
                                                   "or without @."))


class ContactNoteForm(StaffForm):
    id_prefix = "contact_note"
    text = forms.CharField(max_length=settings.MAX_TEXT_LENGTH, label=gettext_lazy("Add a note"),
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Seen by every staff member who can see this contact."))
