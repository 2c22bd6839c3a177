"""Django app configuration for inbox."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InboxConfig(AppConfig):
    name = "civicdesk.inbox"
    label = "inbox"

    def ready(self) -> None:
        from civicdesk.inbox.search_index import ensure_sqlite_case_search

        post_migrate.connect(ensure_sqlite_case_search, sender=self, dispatch_uid="inbox-case-search")
