"""The search document on migrate: existing cases are indexed by cases migration 0013 (both engines), and on SQLite
the triggers step aside for migrations that rebuild a table they read, then come back with a rebuilt index."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicdesk.cases import actions
from civicdesk.cases.models import Case
from civicdesk.cases.search import search_cases
from civicdesk.channels.events import SenderIdentity
from civicdesk.contacts.models import Contact
from civicdesk.conversations import replies
from civicdesk.inbox.search_index import (
    DOCUMENT_MIGRATION,
    drop_sqlite_case_search_triggers,
    ensure_sqlite_case_search,
    sqlite_triggers,
)
from civicdesk.testing.factories import create_case

SQLITE_TRIGGERS = sqlite_triggers()
BEFORE = [("cases", "0012_message_captured_status")]
AFTER = [("cases", DOCUMENT_MIGRATION)]


def migrate(targets: list[tuple[str, str]]) -> None:
    """As `migrate` does it: on SQLite the triggers step aside while a migration rebuilds a table they name."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    drop_sqlite_case_search_triggers(plan=executor.migration_plan(targets))
    executor.migrate(targets)


def numbers(text: str) -> set[str]:
    return set(search_cases(Case.objects.all(), text).values_list("number", flat=True))


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_search_%'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_cases_made_before_the_migration_are_found_by_everything_after_it(world) -> None:
    case = create_case(service=world.pothole, subject="Sinkhole", body="It opened overnight.",
                       email="early.bird@example.com", contact_name="Olu Early", address="7 Canal Street",
                       extra_identities=[SenderIdentity("phone", "+1 267 555 0142")])
    replies.reply(case, author=world.works_agent, text="A hubcap was found in it.")
    actions.set_tags(case, actor=world.works_agent, names=["storm-2026"])
    try:
        migrate(BEFORE)
        migrate(AFTER)
        ensure_sqlite_case_search()  # what post_migrate does after `migrate` (a no-op on PostgreSQL)
        for text in ["sinkhole", "early.bird@example.com", "Olu", "7 Canal St", "555-0142", "hubcap", "storm",
                     case.number[-4:]]:
            assert numbers(text) == {case.number}, text
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        ensure_sqlite_case_search()
    replies.reply(case, author=world.works_agent, text="Filled with gravel.")  # the triggers work again
    assert numbers("gravel") == {case.number}


def _plan(*apps: str) -> list[tuple[Any, bool]]:
    return [(SimpleNamespace(app_label=app), False) for app in apps]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite refuses to rebuild a table a trigger names")
@pytest.mark.django_db(transaction=True)
def test_sqlite_triggers_step_aside_while_a_migration_rebuilds_a_table_they_read(world) -> None:
    case = create_case(service=world.pothole, subject="Loose grate", body="It rattles.", email="g@example.com",
                       contact_name="Grace Grate")
    try:
        drop_sqlite_case_search_triggers(plan=_plan("agencies", "gis"))
        assert _triggers() == SQLITE_TRIGGERS  # other apps' migrations never rebuild these tables
        drop_sqlite_case_search_triggers(plan=_plan("agencies", "contacts"))
        assert _triggers() == set()
        with connection.schema_editor() as editor:
            editor._remake_table(Contact)  # what Django does for most field changes: a trigger naming it would fail
        Contact.objects.filter(pk=case.contact_id).update(display_name="Grace Renamed")  # while no trigger watches
    finally:
        ensure_sqlite_case_search()
    assert _triggers() == SQLITE_TRIGGERS
    assert numbers("Renamed") == {case.number} and numbers("grate") == {case.number}
