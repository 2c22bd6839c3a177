"""Django app configuration for inbox."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate, pre_migrate


class InboxConfig(AppConfig):
    name = "civicdesk.inbox"
    label = "inbox"

    def ready(self) -> None:
        from civicdesk.inbox.search_index import drop_sqlite_case_search_triggers, ensure_sqlite_case_search

        # sent by apps with models only (inbox has none): listen to the cases app, whose table it guards
        pre_migrate.connect(drop_sqlite_case_search_triggers, sender=apps.get_app_config("cases"),
                            dispatch_uid="inbox-case-search-pre")
        post_migrate.connect(ensure_sqlite_case_search, sender=apps.get_app_config("cases"),
                             dispatch_uid="inbox-case-search")
