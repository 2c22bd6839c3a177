"""Django app configuration for gis: boundaries, location routing, nearby duplicates, maps and hotspots."""

from django.apps import AppConfig


class GisConfig(AppConfig):
    name = "civicdesk.gis"
    label = "gis"
    verbose_name = "Boundaries and maps"
