"""Django app configuration for mail."""

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "civicdesk.mail"
    label = "mail"
    verbose_name = "Email"
