"""PostgreSQL: identities added by one INSERT refresh their contacts' case documents once, not once per identity.

The inbound worker adds a group's new senders' identities with one INSERT (contacts.actions.add_senders). The row
trigger ran the refresh for each of them, and each run looked for the contact's cases: a new sender has none yet,
so all that work found nothing, yet it was the largest single cost on the server in the SMS bench (about a fifth
of its time). A statement trigger with a transition table runs it once per INSERT. Deleting or changing an
identity still refreshes per row, as before; SQLite's triggers are unchanged.
"""

from django.db import migrations

PER_STATEMENT = [
    "DROP TRIGGER IF EXISTS cases_search_identity ON contacts_identity",
    "CREATE OR REPLACE FUNCTION cases_search_identities_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM cases_search_refresh(ARRAY(SELECT c.id FROM cases_case c "
    "WHERE c.contact_id IN (SELECT contact_id FROM added_identities))); RETURN NULL; END $$",
    "CREATE TRIGGER cases_search_identity_added AFTER INSERT ON contacts_identity "
    "REFERENCING NEW TABLE AS added_identities FOR EACH STATEMENT EXECUTE FUNCTION cases_search_identities_added()",
    "CREATE TRIGGER cases_search_identity AFTER DELETE ON contacts_identity "
    "FOR EACH ROW EXECUTE FUNCTION cases_search_contact_changed()",
]
PER_ROW = [
    "DROP TRIGGER IF EXISTS cases_search_identity_added ON contacts_identity",
    "DROP FUNCTION IF EXISTS cases_search_identities_added()",
    "DROP TRIGGER IF EXISTS cases_search_identity ON contacts_identity",
    "CREATE TRIGGER cases_search_identity AFTER INSERT OR DELETE ON contacts_identity "
    "FOR EACH ROW EXECUTE FUNCTION cases_search_contact_changed()",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "postgresql":
        for sql in statements:
            schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    _run(schema_editor, PER_STATEMENT)


def backwards(apps, schema_editor):
    _run(schema_editor, PER_ROW)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0023_search_refresh_plan_cached"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
