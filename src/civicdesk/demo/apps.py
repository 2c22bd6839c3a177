"""Django app configuration for demo."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "civicdesk.demo"
    label = "demo"
