"""Django app configuration for runtime."""

from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "civicdesk.runtime"
    label = "runtime"

    def ready(self) -> None:
        from civicdesk.runtime import checks  # noqa: F401 - registers the system checks
