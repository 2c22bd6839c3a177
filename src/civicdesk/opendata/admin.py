"""Admin: the exports written so far (read-only; `civicdesk opendata export` writes one by hand)."""

from django.contrib import admin
from django.http import HttpRequest

from civicdesk.opendata.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("day", "generated_at", "rows", "csv_bytes", "geojson_bytes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
