"""The audit trail in the admin: searchable and read-only."""

from django.contrib import admin
from django.http import HttpRequest

from civicdesk.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "actor_label", "case", "contact"]
    list_filter = ["action"]
    raw_id_fields = ["case", "contact", "actor"]
    list_select_related = ["actor", "case", "contact"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
