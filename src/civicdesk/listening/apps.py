"""Django app configuration for social listening."""

from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "civicdesk.listening"
    label = "listening"
    verbose_name = "Social listening"
