"""Django app configuration for metrics: response and resolution times, counts, and their rollups."""

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "civicdesk.metrics"
    label = "metrics"
    verbose_name = "Metrics"
