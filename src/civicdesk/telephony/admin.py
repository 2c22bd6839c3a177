"""Admin screens for calls (read mostly: they are made by Twilio's callbacks and by agents)."""

from django.contrib import admin

from civicdesk.telephony.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "direction", "number", "outcome", "duration_seconds", "recording_state"]
    list_filter = ["direction", "outcome", "recording_state"]
    search_fields = ["number", "provider_call_id"]
    raw_id_fields = ["message", "account", "logged_by"]
    readonly_fields = ["recording_url", "recording_attempts", "recording_error", "provider_call_id"]
