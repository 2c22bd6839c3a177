"""Django app configuration for channels."""

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "civicdesk.channels"
    label = "channels"
