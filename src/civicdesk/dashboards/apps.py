"""Django app configuration for the staff dashboards."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "civicdesk.dashboards"
    label = "dashboards"
    verbose_name = "Staff dashboards"
