"""Django app configuration for agencies."""

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "civicdesk.agencies"
    label = "agencies"
