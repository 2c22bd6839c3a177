"""Full-text search over case subject and description: FTS5 on SQLite, a GIN expression index on PostgreSQL.

Also an index on updated_at for the "recently updated" sort and the inbox's live-update marker.
Raw SQL keeps these out of the model state (they are invisible to makemigrations); each vendor's half
is a no-op on the other vendor.
"""

from django.db import migrations

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "subject, description, content='cases_case', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ai AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(rowid, subject, description) VALUES (new.id, new.subject, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ad AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, description) "
    "VALUES ('delete', old.id, old.subject, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_au AFTER UPDATE OF subject, description ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, description) "
    "VALUES ('delete', old.id, old.subject, old.description); "
    "INSERT INTO cases_case_fts(rowid, subject, description) VALUES (new.id, new.subject, new.description); END",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TABLE IF EXISTS cases_case_fts",
]
POSTGRES_FTS = [
    "CREATE INDEX IF NOT EXISTS case_fts_gin ON cases_case "
    "USING GIN (to_tsvector('english', subject || ' ' || description))",
]
POSTGRES_FTS_DROP = ["DROP INDEX IF EXISTS case_fts_gin"]
UPDATED_INDEX = ["CREATE INDEX IF NOT EXISTS case_updated_at ON cases_case (updated_at, id)"]
UPDATED_INDEX_DROP = ["DROP INDEX IF EXISTS case_updated_at"]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_FTS)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_FTS)
    _run(schema_editor, UPDATED_INDEX)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_FTS_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_FTS_DROP)
    _run(schema_editor, UPDATED_INDEX_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
