"""Admin for Open311: API keys (issue shows the key once; revoke), external endpoints with service mappings."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from civicdesk.open311 import keys
from civicdesk.open311.models import ApiKey, ExternalEndpoint, ForwardedCase, ServiceMapping


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["app_name", "prefix", "rate_limit", "is_revoked", "created_at"]
    list_filter = ["is_revoked"]
    search_fields = ["app_name", "prefix"]
    fields = ["app_name", "contact", "rate_limit", "prefix", "is_revoked", "revoked_at", "created_at"]
    readonly_fields = ["prefix", "is_revoked", "revoked_at", "created_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = keys.create_key(obj.app_name, rate_limit=obj.rate_limit, contact=obj.contact)
        obj.pk, obj.prefix, obj.key_hash = issued.api_key.pk, issued.api_key.prefix, issued.api_key.key_hash
        obj.created_at = issued.api_key.created_at
        messages.warning(request, f"The API key for {obj.app_name} is {issued.raw} — copy it now, "
                                  "it is not shown again.")

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            keys.revoke_key(api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)


class ServiceMappingInline(admin.TabularInline):
    model = ServiceMapping
    extra = 1


@admin.register(ExternalEndpoint)
class ExternalEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "jurisdiction_id", "format", "supports_updates", "is_active", "last_pulled_at",
                    "last_pull_failed_at"]
    list_filter = ["is_active", "format"]
    readonly_fields = ["last_pulled_at", "last_pull_error", "last_pull_failed_at"]
    inlines = [ServiceMappingInline]


@admin.register(ForwardedCase)
class ForwardedCaseAdmin(admin.ModelAdmin):
    list_display = ["case", "endpoint", "state", "remote_id", "remote_status", "attempts", "created_at"]
    list_filter = ["state", "endpoint"]
    search_fields = ["case__number", "remote_id"]
    readonly_fields = [f.name for f in ForwardedCase._meta.fields]
