"""Admin for contacts and their identities."""

from django.contrib import admin

from civicdesk.contacts.models import Contact, ContactMerge, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "organisation", "created_at"]
    list_filter = ["kind"]
    search_fields = ["display_name", "organisation", "identities__value"]
    raw_id_fields = ["merged_into"]
    inlines = [IdentityInline]


@admin.register(ContactMerge)
class ContactMergeAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "merged_by", "merged_at", "undone_at"]
    raw_id_fields = ["source", "target"]
