"""Admin screens for surveys and "Is it fixed?" questions (read-only: residents answer, the system asks)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civicdesk.satisfaction.models import FixCheck, Survey, SurveyOptOut


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnly):
    list_display = ["case", "status", "channel", "score", "sent_at", "answered_at"]
    list_filter = ["status", "channel", "score"]
    raw_id_fields = ["case", "contact", "message"]
    exclude = ["token"]


@admin.register(FixCheck)
class FixCheckAdmin(ReadOnly):
    list_display = ["case", "status", "channel", "due_at", "fixed", "answered_at"]
    list_filter = ["status", "channel", "fixed"]
    raw_id_fields = ["case", "contact", "message"]
    exclude = ["token"]


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(admin.ModelAdmin):
    list_display = ["contact", "at"]
    raw_id_fields = ["contact"]
