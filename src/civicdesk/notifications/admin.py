"""Django admin for notifications: read-only lists for support (what was sent to whom, and each user's settings)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civicdesk.notifications.models import DeskPresence, Notification, NotificationSetting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "case", "actor", "read_at", "email_state"]
    list_filter = ["kind", "email_state"]
    search_fields = ["case__number", "recipient__username"]
    raw_id_fields = ["recipient", "case", "actor", "message"]
    list_select_related = ["recipient", "case", "actor"]


@admin.register(NotificationSetting)
class NotificationSettingAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["user__username"]


@admin.register(DeskPresence)
class DeskPresenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "last_seen_at"]
    search_fields = ["user__username"]
