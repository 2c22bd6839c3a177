"""Keeps the SQLite full-text index of cases attached after migrations (a table rebuild drops its triggers)."""

import importlib
import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)
TRIGGERS = ("cases_case_fts_ai", "cases_case_fts_ad", "cases_case_fts_au")


def ensure_sqlite_case_search(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate: on SQLite, recreate missing FTS5 triggers and rebuild the index; nothing on other vendors."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'cases_case%'")
        names = {row[0] for row in cursor.fetchall()}
        if "cases_case" not in names or ("cases_case_fts" in names and all(t in names for t in TRIGGERS)):
            return
        migration = importlib.import_module("civicdesk.cases.migrations.0002_case_search_index")
        if "cases_case_fts" not in names and not _migrated(cursor):
            return  # 0002 has not run yet; it creates everything itself
        log.warning("Case search triggers were missing (table rebuilt by a migration); recreating them.")
        for sql in migration.SQLITE_FTS:
            cursor.execute(sql)


def _migrated(cursor: Any) -> bool:
    cursor.execute("SELECT 1 FROM django_migrations WHERE app = 'cases' AND name = '0002_case_search_index'")
    return cursor.fetchone() is not None
