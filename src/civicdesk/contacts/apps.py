"""Django app configuration for contacts."""

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "civicdesk.contacts"
    label = "contacts"
