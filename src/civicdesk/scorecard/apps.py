"""Django app configuration for the public scorecard."""

from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "civicdesk.scorecard"
    label = "scorecard"
    verbose_name = "Public scorecard"
