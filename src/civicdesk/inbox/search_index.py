"""Keeps the SQLite case search triggers (cases migration 0013) out of the way of migrations, and in place after.

A trigger whose body names another table makes SQLite refuse to rebuild that table, which Django does for most
schema changes ("error in trigger ...: no such table"). So before a migrate that runs any cases or contacts
migration the triggers are dropped (pre_migrate), and after every migrate missing triggers are created and every
case's document is rebuilt, since rows written while they were missing are not in the index (post_migrate).
Nothing of this applies to PostgreSQL, whose triggers live in the migration.
"""

import importlib
import logging
from types import ModuleType
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)
DOCUMENT_MIGRATION = "0013_case_search_document"
FIRST_INDEX_MIGRATION = "0002_case_search_index"
TRIGGER_TABLE_APPS = {"cases", "contacts"}  # the apps whose tables the triggers read


def _migration(name: str) -> ModuleType:
    return importlib.import_module(f"civicdesk.cases.migrations.{name}")


def sqlite_triggers() -> set[str]:
    """The names of the SQLite search triggers."""
    return set(_migration(DOCUMENT_MIGRATION).SQLITE_TRIGGERS)


def sqlite_refill() -> list[str]:
    """Statements that rebuild every case's search document on SQLite (the triggers are left as they are)."""
    return list(_migration(DOCUMENT_MIGRATION).SQLITE_REFILL)


def postgres_refill() -> list[str]:
    """Statements that rebuild every case's search document on PostgreSQL, its index built after the rows."""
    return list(_migration(DOCUMENT_MIGRATION).POSTGRES_REFILL)


def drop_sqlite_case_search_triggers(using: str = DEFAULT_DB_ALIAS, plan: Any = None, **kwargs: Any) -> None:
    """pre_migrate: on SQLite, drop the search triggers when the plan migrates a table they read."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not plan:
        return
    if not any(migration.app_label in TRIGGER_TABLE_APPS for migration, _backwards in plan):
        return
    with connection.cursor() as cursor:
        for sql in _migration(DOCUMENT_MIGRATION).SQLITE_DROP_TRIGGERS:
            cursor.execute(sql)


def ensure_sqlite_case_search(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate: on SQLite, create missing search triggers and rebuild the index; nothing on other vendors."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        names = {row[0] for row in cursor.fetchall()}
        if "cases_case" not in names:
            return
        if _applied(cursor, DOCUMENT_MIGRATION):
            document = _migration(DOCUMENT_MIGRATION)
            if document.TABLE in names and all(name in names for name in document.SQLITE_TRIGGERS):
                return
            log.info("Rebuilding the case search index and its triggers after migrating.")
            for sql in [*document.SQLITE_DROP_TRIGGERS, *document.SQLITE_REFILL, *document.SQLITE_CREATE_TRIGGERS]:
                cursor.execute(sql)
        elif _applied(cursor, FIRST_INDEX_MIGRATION):  # migrated back before 0013: the first index's triggers
            first = _migration(FIRST_INDEX_MIGRATION)
            if all(name in names for name in ("cases_case_fts", *FIRST_TRIGGERS)):
                return
            log.warning("Case search triggers were missing (table rebuilt by a migration); recreating them.")
            for sql in first.SQLITE_FTS:
                cursor.execute(sql)


FIRST_TRIGGERS = ("cases_case_fts_ai", "cases_case_fts_ad", "cases_case_fts_au")


def _applied(cursor: Any, name: str) -> bool:
    cursor.execute("SELECT 1 FROM django_migrations WHERE app = 'cases' AND name = %s", [name])
    return cursor.fetchone() is not None
