"""Admin of crisis mode: incidents and subscriptions to look at; broadcasts and their deliveries read-only."""

from django.contrib import admin

from civicdesk.crisis.models import Broadcast, Incident, IncidentUpdate, Subscription


class UpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title_en", "status", "agency", "declared_at", "ended_at", "source")
    list_filter = ("status",)
    inlines = [UpdateInline]
    filter_horizontal = ("areas",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("channel", "status", "area", "language", "source", "created_at")
    list_filter = ("channel", "status", "source")
    exclude = ("token",)
    readonly_fields = ("address", "created_at", "confirmed_at", "ended_at")


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("incident", "created_at", "status", "estimate_seconds")
    readonly_fields = [f.name for f in Broadcast._meta.fields]
