"""Admin for addresses, streets and places: browse and correct single rows (bulk loads use the import command)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civicdesk.places.actions import bump_version
from civicdesk.places.models import AddressPoint, Place, Street


class BumpsVersion(admin.ModelAdmin):
    """An edit in the admin reloads the search index and the base map like an import does."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        bump_version()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        bump_version()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        bump_version()


@admin.register(AddressPoint)
class AddressPointAdmin(BumpsVersion):
    list_display = ["label", "street", "number", "unit", "postcode", "lat", "lon"]
    search_fields = ["label", "street", "postcode"]
    list_per_page = 50


@admin.register(Street)
class StreetAdmin(BumpsVersion):
    list_display = ["name", "street_class", "source_id"]
    list_filter = ["street_class"]
    search_fields = ["name"]
    exclude = ["wkb"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat"]


@admin.register(Place)
class PlaceAdmin(BumpsVersion):
    list_display = ["name", "kind", "address", "lat", "lon"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    exclude = ["wkb"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat"]
