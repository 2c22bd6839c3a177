"""Admin for contacts and their identities; edits are audited and identities normalised like inbound ones."""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from civicdesk.contacts import actions
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Contact, ContactMerge, Identity

EDITABLE = ["display_name", "kind", "organisation", "notes", "language"]


class IdentityForm(forms.ModelForm):
    class Meta:
        model = Identity
        fields = ["kind", "value"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = normalize_identity(data["kind"], data["value"])
            except InvalidIdentity as exc:
                self.add_error("value", str(exc))
        return data


class IdentityInline(admin.TabularInline):
    model = Identity
    form = IdentityForm
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "organisation", "created_at"]
    list_filter = ["kind"]
    search_fields = ["display_name", "organisation", "identities__value"]
    fields = [*EDITABLE, "merged_into"]
    readonly_fields = ["merged_into"]  # merges go through the merge action so they can be undone
    inlines = [IdentityInline]

    def save_model(self, request: HttpRequest, obj: Contact, form: ModelForm, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = Contact.objects.get(pk=obj.pk)
        changed = {name: getattr(obj, name) for name in form.changed_data if name in EDITABLE}
        if changed:
            actions.update_contact(stored, actor=request.user, **changed)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet,
                     change: bool) -> None:
        """Identity changes in the inline are recorded on the contact's audit trail."""
        before = {(i.kind, i.value) for i in form.instance.identities.all()}
        super().save_formset(request, form, formset, change)
        after = {(i.kind, i.value) for i in form.instance.identities.all()}
        if before != after:
            actions.record_identity_edit(form.instance, actor=request.user, before=before, after=after)


@admin.register(ContactMerge)
class ContactMergeAdmin(admin.ModelAdmin):
    """Read-only: a merge is made and undone on the staff contact page, which checks whose cases it moves."""

    list_display = ["source", "target", "merged_by", "merged_at", "undone_at"]
    raw_id_fields = ["source", "target"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ContactMerge | None = None) -> bool:
        return False
