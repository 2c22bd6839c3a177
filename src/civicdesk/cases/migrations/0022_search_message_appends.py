"""PostgreSQL: a new message adds its own words to its case's search document instead of rebuilding it.

Rebuilding a case's document (number, subject, description, contact, identities, tags and every message) on each
inbound message cost about 0.9 ms of the server's CPU; appending the message's tsvector costs about 0.04 ms. The
words found are the same; only positions differ, which search does not use. A document already near tsvector's
1 MB limit, a case with no document yet, and every update or deletion still rebuild as before. SQLite's FTS5
triggers are unchanged.
"""

import importlib

from django.db import migrations

_search = importlib.import_module("civicdesk.cases.migrations.0013_case_search_document")
APPEND_BELOW_BYTES = 500_000  # past this, a rebuild (which caps the text) keeps the document under 1 MB
_TEXT = _search.MESSAGE_TEXT.format(m="NEW")
_SPACES = " " * len(_search.SEPARATORS)
APPENDING = (
    "CREATE OR REPLACE FUNCTION cases_search_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE ids bigint[] := '{}'; BEGIN "
    "IF TG_OP = 'INSERT' AND (NEW.update_of_id IS NOT NULL OR NEW.is_automatic OR "
    f"{_TEXT} IN ('', (SELECT description FROM cases_case WHERE id = NEW.case_id))) THEN RETURN NULL; END IF; "
    "IF TG_OP = 'INSERT' THEN "
    f"UPDATE {_search.TABLE} SET document = document || to_tsvector('english', translate(substr({_TEXT}, 1, "
    f"{_search.MAX_DOCUMENT}), '{_search.SEPARATORS}', '{_SPACES}')) "
    f"WHERE case_id = NEW.case_id AND pg_column_size(document) < {APPEND_BELOW_BYTES}; "
    "IF FOUND THEN RETURN NULL; END IF; END IF; "
    "IF TG_OP = 'DELETE' AND (OLD.update_of_id IS NOT NULL OR OLD.is_automatic) THEN RETURN NULL; END IF; "
    "IF TG_OP <> 'INSERT' THEN ids := ids || OLD.case_id; END IF; "
    "IF TG_OP <> 'DELETE' THEN ids := ids || NEW.case_id; END IF; "
    "PERFORM cases_search_refresh(ids); RETURN NULL; END $$"
)
REBUILDING = next(sql for sql in _search.POSTGRES_CREATE if "cases_search_message_changed()" in sql
                  and sql.startswith("CREATE OR REPLACE FUNCTION"))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPENDING, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REBUILDING, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0021_case_queue_count_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
