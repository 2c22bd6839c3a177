"""Admin screens: generations (with activation and a boundary file upload), areas, routing rules, initiatives."""

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from civicdesk.gis.actions import activate_generation, import_boundaries
from civicdesk.gis.formats.base import BoundaryFileError
from civicdesk.gis.formats.read import read_boundary_file
from civicdesk.gis.lookup import invalidate
from civicdesk.gis.models import Area, AreaType, CaseRouting, Generation, Initiative, RoutingRule

UPLOAD_SUFFIXES = (".geojson", ".json", ".zip", ".gpkg")


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(help_text="GeoJSON, a zipped Shapefile, or a GeoPackage.")
    area_type = forms.ModelChoiceField(queryset=AreaType.objects.all(), to_field_name="slug", label="Area type",
                                       help_text="Define new types under \"Area types\".")
    name_field = forms.CharField(help_text="The attribute holding each area's name, e.g. NAME.")
    code_field = forms.CharField(required=False)
    crs = forms.CharField(required=False, label="CRS override",
                          help_text="Only if the file declares none, e.g. EPSG:2272.")
    generation = forms.ModelChoiceField(queryset=Generation.objects.filter(active=False), required=False,
                                        help_text="Add to this inactive generation; empty makes a new one.")
    description = forms.CharField(required=False)


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["id", "description", "active", "created_at", "activated_at"]
    readonly_fields = ["active", "created_at", "activated_at"]
    actions = ["activate"]
    change_list_template = "admin/gis/generation/change_list.html"

    def get_urls(self) -> list[Any]:
        return [path("import/", self.admin_site.admin_view(self.import_view), name="gis_generation_import"),
                *super().get_urls()]

    @admin.action(description="Switch the selected generation on")
    def activate(self, request: HttpRequest, queryset: QuerySet[Generation]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one generation.", messages.ERROR)
            return
        try:
            generation = activate_generation(queryset.get())
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Generation {generation.pk} is now active.")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = BoundaryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            if suffix not in UPLOAD_SUFFIXES:
                form.add_error("file", f"Use one of {', '.join(UPLOAD_SUFFIXES)}.")
            else:
                with tempfile.TemporaryDirectory() as folder:
                    target = Path(folder) / f"upload{suffix}"
                    with target.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    try:
                        report = import_boundaries(
                            read_boundary_file(target), area_type=form.cleaned_data["area_type"].slug,
                            name_field=form.cleaned_data["name_field"], code_field=form.cleaned_data["code_field"],
                            generation=form.cleaned_data["generation"], crs_override=form.cleaned_data["crs"] or None,
                            description=form.cleaned_data["description"] or f"Upload of {upload.name}"[:300])
                    except BoundaryFileError as exc:
                        form.add_error(None, f"Nothing was imported. {exc}")
                    else:
                        self.message_user(request, f"Imported {report.created} areas into generation "
                                                   f"{report.generation.pk}; activate it to switch lookups over.")
                        for name, reason in report.repaired:
                            self.message_user(request, f"Repaired '{name}': {reason}", messages.WARNING)
                        return HttpResponseRedirect(reverse("admin:gis_generation_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import boundaries",
                   "opts": self.model._meta}
        return render(request, "admin/gis/generation/import.html", context)


@admin.register(AreaType)
class AreaTypeAdmin(admin.ModelAdmin):
    """Admins define the kinds of boundary; a type's slug is fixed once created (areas and rules store it)."""

    list_display = ["name", "slug", "plural_name", "is_jurisdiction", "display_order", "colour"]
    list_editable = ["display_order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request: HttpRequest, obj: AreaType | None = None) -> list[str]:
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(self, request: HttpRequest, obj: AreaType | None = None) -> dict[str, Sequence[str]]:
        return {} if obj is not None else {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: AreaType, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(invalidate)  # the lookup index knows which types are the jurisdiction's


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "code", "generation_low", "generation_high", "agency", "team", "was_repaired"]
    list_filter = ["type", "generation_low", "was_repaired"]
    list_select_related = ["type", "generation_low", "generation_high", "agency", "team"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "type", "agency", "team", "generation_low", "generation_high", "area_m2",
              "was_repaired", "properties"]
    readonly_fields = ["type", "generation_low", "generation_high", "area_m2", "was_repaired", "properties"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "service", "area_type", "area", "agency", "team", "priority", "is_active"]
    list_filter = ["area_type", "is_active", "agency"]
    list_select_related = ["service", "area_type", "area", "area__type", "agency", "team", "team__agency"]
    raw_id_fields = ["area"]


@admin.register(CaseRouting)
class CaseRoutingAdmin(admin.ModelAdmin):
    list_display = ["case", "generation", "area", "rule", "flagged", "routed_at"]
    list_filter = ["flagged"]
    raw_id_fields = ["case", "area", "rule"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "area", "start", "end"]
    list_filter = ["agency"]
    raw_id_fields = ["area"]
    filter_horizontal = ["services"]
