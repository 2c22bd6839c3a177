"""One search document per case, kept current by triggers: FTS5 on SQLite, a tsvector table on PostgreSQL.

The document holds the case number (compact, and the last 6, 5 and 4 digits of its sequence), subject, description
and address; the contact's name, organisation and identities (an email address also as one compact word, a phone
number as every run of its last 4 or more digits); the tags; and the text of every message that is not automatic
and not a follower's copy of a public update (inbound messages, replies and internal notes), except a message
that only repeats the description. civicdesk.cases.search reads queries into the same words.

Triggers on every table the document reads rebuild a case's document when one of its parts changes. On SQLite
those triggers are not created here: a trigger that names another table makes SQLite refuse the table rebuild a
later migration may do of that table ("error in trigger"), so civicdesk.inbox.search_index drops them before
migrating and creates them (and refills the index) after. PostgreSQL has no such limit; its triggers live here.
Raw SQL keeps all of this out of the model state; each vendor's half is a no-op on the other vendor.
"""

import importlib

from django.db import migrations

TABLE = "cases_case_search"
MAX_DOCUMENT = 200_000  # characters: a tsvector holds at most 1 MB, and no one searches past this
PHONE_SUFFIXES = range(4, 16)  # E.164 has at most 15 digits
NUMBER_SUFFIXES = (6, 5, 4)
SEPARATORS = "@./:-+_"  # PostgreSQL's parser reads these as parts of emails, hosts, paths and signed numbers
HIDDEN_IDENTITY_KINDS = ("facebook", "open311_account")  # opaque ids, not something staff type
SPACED = " || ' ' || "
MESSAGE_TEXT = "CASE WHEN {m}.visible_text <> '' THEN {m}.visible_text ELSE {m}.body_text END"


def _suffix(column: str, length: int) -> str:
    return f"substr({column}, length({column}) - {length - 1})"


def _aggregate(vendor: str, expression: str) -> str:
    return f"group_concat({expression}, ' ')" if vendor == "sqlite" else f"string_agg({expression}, ' ')"


def _identity_words() -> str:
    phone = " || ".join(f"CASE WHEN length(i.value) > {n} THEN ' ' || {_suffix('i.value', n)} ELSE '' END"
                        for n in PHONE_SUFFIXES)
    compact = "i.value"
    for character in ".@-_+":
        compact = f"replace({compact}, '{character}', '')"
    return f"CASE i.kind WHEN 'phone' THEN {phone} WHEN 'email' THEN i.value || ' ' || {compact} ELSE i.value END"


def document(vendor: str) -> str:
    """The SQL text of the search document of the case aliased `c`."""
    number = SPACED.join(["replace(c.number, '-', '')", *(_suffix("c.number", n) for n in NUMBER_SUFFIXES)])
    hidden = ", ".join(f"'{kind}'" for kind in HIDDEN_IDENTITY_KINDS)
    text = MESSAGE_TEXT.format(m="m")
    parts = [
        number, "c.subject", "c.description", "c.address",
        "coalesce((SELECT p.display_name || ' ' || p.organisation FROM contacts_contact p "
        "WHERE p.id = c.contact_id), '')",
        f"coalesce((SELECT {_aggregate(vendor, _identity_words())} FROM contacts_identity i "
        f"WHERE i.contact_id = c.contact_id AND i.kind NOT IN ({hidden})), '')",
        f"coalesce((SELECT {_aggregate(vendor, 't.name')} FROM cases_case_tags ct "
        "JOIN cases_tag t ON t.id = ct.tag_id WHERE ct.case_id = c.id), '')",
        f"coalesce((SELECT {_aggregate(vendor, text)} FROM cases_message m WHERE m.case_id = c.id "
        f"AND m.update_of_id IS NULL AND NOT m.is_automatic AND {text} <> c.description), '')",
    ]
    return f"substr({SPACED.join(parts)}, 1, {MAX_DOCUMENT})"


# --- SQLite: an FTS5 table holding the documents (rowid = case id) ---------------------------------------------------

SQLITE_CREATE = [f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(document, "
                 "tokenize='porter unicode61 remove_diacritics 2')"]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def _sqlite_refresh(where: str) -> str:
    """Statements that rebuild the documents of the cases `c` matching `where`."""
    return (f"DELETE FROM {TABLE} WHERE rowid IN (SELECT c.id FROM cases_case c WHERE {where}); "
            f"INSERT INTO {TABLE} (rowid, document) SELECT c.id, {document('sqlite')} FROM cases_case c "
            f"WHERE {where};")


def _changed(columns: tuple[str, ...], operator: str = "IS NOT") -> str:
    return " OR ".join(f"old.{column} {operator} new.{column}" for column in columns)


CASE_COLUMNS = ("number", "subject", "description", "address", "contact_id")
MESSAGE_COLUMNS = ("case_id", "body_text", "visible_text", "update_of_id", "is_automatic")
IDENTITY_COLUMNS = ("contact_id", "kind", "value")
CONTACT_COLUMNS = ("display_name", "organisation")
_NEW_TEXT = MESSAGE_TEXT.format(m="new")
SQLITE_TRIGGERS = {
    "cases_search_case_ai": f"AFTER INSERT ON cases_case BEGIN {_sqlite_refresh('c.id = new.id')} END",
    "cases_search_case_au": f"AFTER UPDATE OF {', '.join(CASE_COLUMNS)} ON cases_case WHEN {_changed(CASE_COLUMNS)} "
                            f"BEGIN {_sqlite_refresh('c.id = new.id')} END",
    "cases_search_case_ad": f"AFTER DELETE ON cases_case BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END",
    # The first message usually repeats the description, which the document leaves out: nothing to rebuild.
    "cases_search_message_ai": f"AFTER INSERT ON cases_message WHEN new.update_of_id IS NULL AND NOT new.is_automatic "
                               f"AND {_NEW_TEXT} NOT IN ('', coalesce((SELECT description FROM cases_case "
                               f"WHERE id = new.case_id), '')) BEGIN {_sqlite_refresh('c.id = new.case_id')} END",
    "cases_search_message_au": f"AFTER UPDATE OF {', '.join(MESSAGE_COLUMNS)} ON cases_message "
                               f"WHEN {_changed(MESSAGE_COLUMNS)} "
                               f"BEGIN {_sqlite_refresh('c.id IN (old.case_id, new.case_id)')} END",
    "cases_search_message_ad": "AFTER DELETE ON cases_message WHEN old.update_of_id IS NULL AND NOT old.is_automatic "
                               f"BEGIN {_sqlite_refresh('c.id = old.case_id')} END",
    "cases_search_tagging_ai": f"AFTER INSERT ON cases_case_tags BEGIN {_sqlite_refresh('c.id = new.case_id')} END",
    "cases_search_tagging_ad": f"AFTER DELETE ON cases_case_tags BEGIN {_sqlite_refresh('c.id = old.case_id')} END",
    "cases_search_tag_au": "AFTER UPDATE OF name ON cases_tag WHEN old.name IS NOT new.name BEGIN "
                           f"{_sqlite_refresh('c.id IN (SELECT case_id FROM cases_case_tags WHERE tag_id = new.id)')} "
                           "END",
    "cases_search_contact_au": f"AFTER UPDATE OF {', '.join(CONTACT_COLUMNS)} ON contacts_contact "
                               f"WHEN {_changed(CONTACT_COLUMNS)} BEGIN {_sqlite_refresh('c.contact_id = new.id')} END",
    "cases_search_identity_ai": "AFTER INSERT ON contacts_identity BEGIN "
                                f"{_sqlite_refresh('c.contact_id = new.contact_id')} END",
    "cases_search_identity_au": f"AFTER UPDATE OF {', '.join(IDENTITY_COLUMNS)} ON contacts_identity "
                                f"WHEN {_changed(IDENTITY_COLUMNS)} "
                                f"BEGIN {_sqlite_refresh('c.contact_id IN (old.contact_id, new.contact_id)')} END",
    "cases_search_identity_ad": "AFTER DELETE ON contacts_identity BEGIN "
                                f"{_sqlite_refresh('c.contact_id = old.contact_id')} END",
}
SQLITE_CREATE_TRIGGERS = [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]
SQLITE_DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
# Every document again: a new table is faster to fill than deleting a million rows from the old one.
SQLITE_REFILL = [*SQLITE_DROP, *SQLITE_CREATE,
                 f"INSERT INTO {TABLE} (rowid, document) SELECT c.id, {document('sqlite')} FROM cases_case c"]

# --- PostgreSQL: a table of tsvectors (GIN index) kept by plpgsql triggers -------------------------------------------

_TSVECTOR = f"to_tsvector('english', translate({document('postgresql')}, '{SEPARATORS}', '{' ' * len(SEPARATORS)}'))"
POSTGRES_INDEX = f"CREATE INDEX IF NOT EXISTS case_search_document ON {TABLE} USING GIN (document)"
POSTGRES_FILL = f"INSERT INTO {TABLE} (case_id, document) SELECT c.id, {_TSVECTOR} FROM cases_case c"
_PG_CASE_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CASE_COLUMNS)
_PG_MESSAGE_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in MESSAGE_COLUMNS)
_PG_IDENTITY_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in IDENTITY_COLUMNS)
_PG_CONTACT_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CONTACT_COLUMNS)
_PG_NEW_TEXT = MESSAGE_TEXT.format(m="NEW")
POSTGRES_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (case_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    f"CREATE OR REPLACE FUNCTION cases_search_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $$ "
    f"INSERT INTO {TABLE} (case_id, document) SELECT c.id, {_TSVECTOR} FROM cases_case c WHERE c.id = ANY(ids) "
    f"ON CONFLICT (case_id) DO UPDATE SET document = excluded.document $$",
    "CREATE OR REPLACE FUNCTION cases_search_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' THEN DELETE FROM {TABLE} WHERE case_id = OLD.id; "
    "ELSE PERFORM cases_search_refresh(ARRAY[NEW.id]::bigint[]); END IF; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION cases_search_cases_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"TRUNCATE {TABLE}; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION cases_search_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE ids bigint[] := '{}'; BEGIN "
    "IF TG_OP = 'INSERT' AND (NEW.update_of_id IS NOT NULL OR NEW.is_automatic OR "
    f"{_PG_NEW_TEXT} IN ('', (SELECT description FROM cases_case WHERE id = NEW.case_id))) THEN RETURN NULL; END IF; "
    "IF TG_OP = 'DELETE' AND (OLD.update_of_id IS NOT NULL OR OLD.is_automatic) THEN RETURN NULL; END IF; "
    "IF TG_OP <> 'INSERT' THEN ids := ids || OLD.case_id; END IF; "
    "IF TG_OP <> 'DELETE' THEN ids := ids || NEW.case_id; END IF; "
    "PERFORM cases_search_refresh(ids); RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION cases_search_tagging_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN PERFORM cases_search_refresh(ARRAY[OLD.case_id]::bigint[]); "
    "ELSE PERFORM cases_search_refresh(ARRAY[NEW.case_id]::bigint[]); END IF; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION cases_search_tag_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM cases_search_refresh(ARRAY(SELECT case_id FROM cases_case_tags WHERE tag_id = NEW.id)::bigint[]); "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION cases_search_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE contacts bigint[] := '{}'; BEGIN "
    "IF TG_OP <> 'INSERT' THEN contacts := contacts || OLD.contact_id; END IF; "
    "IF TG_OP <> 'DELETE' THEN contacts := contacts || NEW.contact_id; END IF; "
    "PERFORM cases_search_refresh(ARRAY(SELECT id FROM cases_case WHERE contact_id = ANY(contacts))); "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION cases_search_person_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM cases_search_refresh(ARRAY(SELECT id FROM cases_case WHERE contact_id = NEW.id)); "
    "RETURN NULL; END $$",
    "CREATE TRIGGER cases_search_case AFTER INSERT OR DELETE ON cases_case "
    "FOR EACH ROW EXECUTE FUNCTION cases_search_case_changed()",
    f"CREATE TRIGGER cases_search_case_au AFTER UPDATE OF {', '.join(CASE_COLUMNS)} ON cases_case "
    f"FOR EACH ROW WHEN ({_PG_CASE_CHANGED}) EXECUTE FUNCTION cases_search_case_changed()",
    "CREATE TRIGGER cases_search_case_truncate AFTER TRUNCATE ON cases_case "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_search_cases_truncated()",
    "CREATE TRIGGER cases_search_message AFTER INSERT OR DELETE ON cases_message "
    "FOR EACH ROW EXECUTE FUNCTION cases_search_message_changed()",
    f"CREATE TRIGGER cases_search_message_au AFTER UPDATE OF {', '.join(MESSAGE_COLUMNS)} ON cases_message "
    f"FOR EACH ROW WHEN ({_PG_MESSAGE_CHANGED}) EXECUTE FUNCTION cases_search_message_changed()",
    "CREATE TRIGGER cases_search_tagging AFTER INSERT OR DELETE ON cases_case_tags "
    "FOR EACH ROW EXECUTE FUNCTION cases_search_tagging_changed()",
    "CREATE TRIGGER cases_search_tag_au AFTER UPDATE OF name ON cases_tag "
    "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION cases_search_tag_changed()",
    f"CREATE TRIGGER cases_search_contact_au AFTER UPDATE OF {', '.join(CONTACT_COLUMNS)} ON contacts_contact "
    f"FOR EACH ROW WHEN ({_PG_CONTACT_CHANGED}) EXECUTE FUNCTION cases_search_person_changed()",
    "CREATE TRIGGER cases_search_identity AFTER INSERT OR DELETE ON contacts_identity "
    "FOR EACH ROW EXECUTE FUNCTION cases_search_contact_changed()",
    f"CREATE TRIGGER cases_search_identity_au AFTER UPDATE OF {', '.join(IDENTITY_COLUMNS)} ON contacts_identity "
    f"FOR EACH ROW WHEN ({_PG_IDENTITY_CHANGED}) EXECUTE FUNCTION cases_search_contact_changed()",
]
POSTGRES_TRIGGERS = [("cases_search_case", "cases_case"), ("cases_search_case_au", "cases_case"),
                     ("cases_search_case_truncate", "cases_case"), ("cases_search_message", "cases_message"),
                     ("cases_search_message_au", "cases_message"), ("cases_search_tagging", "cases_case_tags"),
                     ("cases_search_tag_au", "cases_tag"), ("cases_search_contact_au", "contacts_contact"),
                     ("cases_search_identity", "contacts_identity"), ("cases_search_identity_au", "contacts_identity")]
POSTGRES_FUNCTIONS = ["cases_search_refresh(bigint[])", "cases_search_case_changed()",
                      "cases_search_cases_truncated()", "cases_search_message_changed()",
                      "cases_search_tagging_changed()", "cases_search_tag_changed()", "cases_search_contact_changed()",
                      "cases_search_person_changed()"]
POSTGRES_DROP = [*(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in POSTGRES_TRIGGERS),
                 *(f"DROP FUNCTION IF EXISTS {function}" for function in POSTGRES_FUNCTIONS),
                 f"DROP TABLE IF EXISTS {TABLE}"]
# Every document again, with the index built after the rows (the bench generator loads with triggers off).
POSTGRES_REFILL = ["DROP INDEX IF EXISTS case_search_document", f"TRUNCATE {TABLE}", POSTGRES_FILL, POSTGRES_INDEX,
                   f"ANALYZE {TABLE}"]


def _previous():
    return importlib.import_module("civicdesk.cases.migrations.0002_case_search_index")


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [*_previous().SQLITE_FTS_DROP, *SQLITE_REFILL])
    elif vendor == "postgresql":
        _run(schema_editor, [*_previous().POSTGRES_FTS_DROP, POSTGRES_CREATE[0], POSTGRES_FILL, POSTGRES_INDEX,
                             *POSTGRES_CREATE[1:]])


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [*SQLITE_DROP_TRIGGERS, *SQLITE_DROP, *_previous().SQLITE_FTS])
    elif vendor == "postgresql":
        _run(schema_editor, [*POSTGRES_DROP, *_previous().POSTGRES_FTS])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0012_message_captured_status"),
        ("contacts", "0003_contact_language"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
