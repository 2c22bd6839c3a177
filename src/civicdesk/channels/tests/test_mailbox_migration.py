"""The data migration: every existing Mailbox becomes an email ChannelAccount, nothing lost (run on both engines)."""

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicdesk.channels import credentials
from civicdesk.inbox.search_index import drop_sqlite_case_search_triggers, ensure_sqlite_case_search

# agencies too: the historical Agency must match its table (later columns, e.g. translations, are NOT NULL)
AGENCIES_THEN = ("agencies", "0002_service_publish_description")
BEFORE = [("mail", "0002_sender_notice"), ("channels", "0002_payload_content_hash"), AGENCIES_THEN]
AFTER = [("mail", "0005_mailbox_account_required"), ("channels", "0003_channel_accounts"), AGENCIES_THEN]


def migrate(targets: list[tuple[str, str]]) -> Any:
    """As `migrate` does it: on SQLite the case search triggers step aside while tables they name are rebuilt."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    drop_sqlite_case_search_triggers(plan=executor.migration_plan(targets))
    executor.migrate(targets)
    ensure_sqlite_case_search()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_mailboxes_become_email_accounts_with_cursor_and_encrypted_password() -> None:
    old = migrate(BEFORE)
    agency = old.get_model("agencies", "Agency").objects.create(slug="parks", name="Parks")
    Mailbox = old.get_model("mail", "Mailbox")
    Mailbox.objects.create(address="parks@riverbend.example", agency=agency, display_name="Riverbend Parks",
                           is_active=True, imap_host="imap.riverbend.example", imap_username="parks",
                           imap_password="s3cret pässword", imap_last_uid=41, imap_uidvalidity=1700000000)
    Mailbox.objects.create(address="old@riverbend.example", agency=agency, is_active=False)
    try:
        new = migrate(AFTER)
        accounts = {a.address: a for a in new.get_model("channels", "ChannelAccount").objects.all()}
        mailboxes = {m.account.address: m for m in new.get_model("mail", "Mailbox").objects.select_related("account")}
        assert set(accounts) == set(mailboxes) == {"parks@riverbend.example", "old@riverbend.example"}
        parks = accounts["parks@riverbend.example"]
        assert (parks.channel, parks.provider, parks.agency_id, parks.display_name, parks.is_active) == (
            "email", "email", agency.pk, "Riverbend Parks", True)
        assert parks.cursor == {"imap_uidvalidity": 1700000000, "imap_last_uid": 41}
        assert "s3cret" not in parks.encrypted_credentials
        assert credentials.decrypt(parks.encrypted_credentials) == {"password": "s3cret pässword"}
        detail = mailboxes["parks@riverbend.example"]
        assert (detail.imap_host, detail.imap_username, detail.imap_folder) == ("imap.riverbend.example", "parks",
                                                                                 "INBOX")
        closed = accounts["old@riverbend.example"]
        assert not closed.is_active and closed.encrypted_credentials == ""
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
