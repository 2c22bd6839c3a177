"""Django app configuration for channels."""

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "civicdesk.channels"
    label = "channels"

    def ready(self) -> None:
        from civicdesk.channels import (  # noqa: F401  (registers the checks and the caches' resets)
            account_cache,
            checks,
            registry,
        )
