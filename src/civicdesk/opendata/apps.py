"""Django app configuration for the open data export."""

from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "civicdesk.opendata"
    label = "opendata"
    verbose_name = "Open data"
