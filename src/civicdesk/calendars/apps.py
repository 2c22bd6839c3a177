"""Django app configuration for business calendars."""

from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "civicdesk.calendars"
    label = "calendars"
    verbose_name = "Business calendars"
