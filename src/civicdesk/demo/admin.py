"""Admin for demo logins: which users seed-demo created, and whether they were removed."""

from django.contrib import admin

from civicdesk.demo.models import DemoAccount


@admin.register(DemoAccount)
class DemoAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "removed_at")
    list_filter = ("removed_at",)
    readonly_fields = ("user", "created_at", "removed_at")
