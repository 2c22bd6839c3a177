"""Admin screens for business calendars: time zone, holidays, weekly hours and closures."""

from django.contrib import admin

from civicdesk.calendars.models import BusinessCalendar, Closure, OpenInterval


class OpenIntervalInline(admin.TabularInline):
    model = OpenInterval
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    fields = ["name", "first_day", "last_day", "source", "uid"]
    readonly_fields = ["source", "uid"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["__str__", "time_zone", "holiday_country", "holiday_subdivision", "ical_fetched_at"]
    list_select_related = ["agency", "team", "team__agency"]
    readonly_fields = ["ical_fetched_at", "ical_error"]
    inlines = [OpenIntervalInline, ClosureInline]
