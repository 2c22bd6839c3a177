"""Admin pages for listening streams and alerts (the triage view comes later)."""

from django.contrib import admin

from civicdesk.listening.models import Alert, Stream


@admin.register(Stream)
class StreamAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "source_url", "agency", "sensitivity", "retention_days", "active"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["stream", "raised_at", "kind", "key", "posts", "baseline_per_min", "status"]
    list_filter = ["status", "stream"]
    readonly_fields = ["raised_at", "window_start", "posts", "rate_per_min", "baseline_per_min", "terms",
                       "categories", "samples", "area", "keys"]
