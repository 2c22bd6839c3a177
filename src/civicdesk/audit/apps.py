"""Django app configuration for audit."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "civicdesk.audit"
    label = "audit"
