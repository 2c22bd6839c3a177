"""Admin screens for agencies, teams, staff and services."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from civicdesk.agencies.models import Agency, LocationMode, Service, ServiceAttribute, StaffProfile, Team
from civicdesk.agencies.queries import forget_services
from civicdesk.agencies.translation_forms import translations_form


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "email", "is_active", "transfer_approval_required"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline]
    form = translations_form(Agency)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "away", "away_until"]
    list_filter = ["role", "agencies"]
    filter_horizontal = ["agencies", "teams"]


class ServiceAttributeInline(admin.StackedInline):
    model = ServiceAttribute
    extra = 0
    form = translations_form(ServiceAttribute)


ServiceTranslationsForm = translations_form(Service)


class ServiceAdminForm(ServiceTranslationsForm):  # type: ignore[valid-type,misc]
    """The service with its translations; a form posted without location_mode (an older script) keeps the
    default, a required location."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location_mode"].required = False

    def clean_location_mode(self) -> str:
        return self.cleaned_data.get("location_mode") or (self.instance.location_mode if self.instance.pk
                                                           else LocationMode.REQUIRED)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ["code", "name", "group", "agency", "is_active", "is_realtime", "publish_description",
                    "location_mode"]
    list_filter = ["group", "agency", "is_active", "publish_description", "location_mode"]
    search_fields = ["code", "name", "keywords", "search_terms"]
    inlines = [ServiceAttributeInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        forget_services()  # the intake paths cache definitions; this process sees the edit at once

    def delete_model(self, request: HttpRequest, obj: Service) -> None:
        super().delete_model(request, obj)
        forget_services()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        super().delete_queryset(request, queryset)
        forget_services()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["agencies", "teams"]


class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active"]


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
