"""Django app configuration for inbox."""

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "civicdesk.inbox"
    label = "inbox"
