"""Texts through the inbound spool (SQLite's default): the webhook answers without the main database's write lock,
the batch worker moves spooled payloads into the table and applies them, a retry and a move repeated after a kill
are stored once, and the worker command drains the spool."""

import fcntl
import os
import sqlite3
import threading
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from civicdesk.cases.models import Message
from civicdesk.channels import spool
from civicdesk.channels.models import ChannelAccount, InboundPayload, PayloadStatus
from civicdesk.channels.providers.twilio.sender import TwilioSender
from civicdesk.channels.providers.twilio.tests.test_inbound_batch import TWIML, inbound, send
from civicdesk.conversations import batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def spooled(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(settings.TASK_QUEUES)}}
    settings.INBOUND_BATCH_WORKER = True
    settings.INBOUND_SPOOL = "on"
    settings.VAR_DIR = tmp_path  # the account cache's marker, and the spool on PostgreSQL
    yield
    if spool.path().exists():
        spool._db().execute("DELETE FROM spool")


def test_a_text_is_spooled_then_moved_and_applied_once_even_when_retried(
        client: Client, account: ChannelAccount, sender: TwilioSender, spooled: None) -> None:
    response = send(client, sender, account, 1)
    assert response.status_code == 200 and response.content == TWIML
    assert send(client, sender, account, 1).status_code == 200  # Twilio's retry of the same MessageSid
    send(client, sender, account, 2)
    assert not InboundPayload.objects.exists() and spool.pending() == 3
    assert batch.drain() == 2
    assert spool.pending() == 0
    assert [sid for sid, _case in inbound()] == [f"SM{1:032d}", f"SM{2:032d}"]
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {PayloadStatus.PROCESSED}


def test_a_move_repeated_after_a_worker_died_before_emptying_the_spool_stores_each_payload_once(
        client: Client, account: ChannelAccount, sender: TwilioSender, spooled: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        send(client, sender, account, n)
    real_db = spool._db

    class DiesBeforeDeleting:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith("DELETE"):
                raise KeyboardInterrupt("killed")  # the payloads committed, the spool not yet emptied
            return self.db.execute(sql, *args)

    monkeypatch.setattr(spool, "_db", lambda: DiesBeforeDeleting(real_db()))
    with pytest.raises(KeyboardInterrupt):
        spool.move()
    assert InboundPayload.objects.count() == 3 and real_db().execute("SELECT count(*) FROM spool").fetchone()[0] == 3
    monkeypatch.setattr(spool, "_db", real_db)
    assert batch.drain() == 3
    assert InboundPayload.objects.count() == 3 and spool.pending() == 0
    assert len(inbound()) == 3


def test_one_worker_moves_at_a_time_and_another_goes_on_without_moving(
        client: Client, account: ChannelAccount, sender: TwilioSender, spooled: None) -> None:
    for n in range(2):
        send(client, sender, account, n)
    # another worker's descriptor, in effect (flock is per open file)
    other_worker = os.open(str(spool.path()) + ".move-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        assert spool.move() == 0 and spool.pending() == 2 and not InboundPayload.objects.exists()
        fcntl.flock(other_worker, fcntl.LOCK_UN)
        assert spool.move() == 2 and spool.pending() == 0 and InboundPayload.objects.count() == 2
    finally:
        os.close(other_worker)


def test_the_worker_command_drains_the_spool(
        client: Client, account: ChannelAccount, sender: TwilioSender, spooled: None) -> None:
    for n in range(4):
        send(client, sender, account, n)
    listed = StringIO()
    call_command("channels", "list", stdout=listed)
    assert "4 received payloads wait in the inbound spool" in listed.getvalue()
    call_command("inbound_worker", "--once", "--group", "2")
    assert len(inbound()) == 4 and spool.pending() == 0


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's one write lock is what the spool avoids")
def test_the_webhook_answers_while_another_process_holds_the_database_s_write_lock(
        transactional_db: None, client: Client, account: ChannelAccount, sender: TwilioSender,
        spooled: None) -> None:
    send(client, sender, account, 0)  # the account is read (and cached) before the lock is taken
    holder = sqlite3.connect(connection.settings_dict["NAME"], timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what the batch worker holds while it makes a group of cases
    took: list[float] = []

    def post() -> None:
        started = time.monotonic()
        assert send(Client(), sender, account, 1).status_code == 200
        took.append(time.monotonic() - started)

    try:
        thread = threading.Thread(target=post)
        thread.start()
        thread.join(10)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert took and took[0] < 1.0
    assert spool.pending() == 2
    assert Message.objects.count() == 0


def test_auto_spools_on_sqlite_and_under_a_run_that_starts_batch_workers_here_and_never_without_them(
        settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(settings.TASK_QUEUES)}}
    settings.INBOUND_BATCH_WORKER, settings.INBOUND_SPOOL = True, "auto"
    monkeypatch.delenv(spool.WORKER_HERE, raising=False)
    assert spool.enabled() == (connection.vendor == "sqlite")  # PostgreSQL: a web-only machine has no worker
    monkeypatch.setenv(spool.WORKER_HERE, "1")  # `civicdesk run` starting the batch workers on this machine
    assert spool.enabled()
    settings.INBOUND_SPOOL = "off"
    assert not spool.enabled()
    settings.INBOUND_SPOOL, settings.INBOUND_BATCH_WORKER = "on", False  # each payload its job: nothing to spool for
    assert not spool.enabled()


def test_a_simulated_text_that_lands_in_the_spool_is_reported_as_stored(
        account: ChannelAccount, spooled: None) -> None:
    from civicdesk.channels.simulate import simulate

    outcome = simulate(account, "Pothole on Walnut St by the school")
    assert outcome.status == 200 and outcome.stored == 1 and spool.pending() == 1  # was "a repeat" (0)
    assert batch.drain() >= 1 and spool.pending() == 0


def test_the_admins_payload_list_says_when_payloads_wait_in_the_spool(
        admin_client: Any, client: Client, account: ChannelAccount, sender: TwilioSender, spooled: None) -> None:
    from django.urls import reverse

    changelist = reverse("admin:channels_inboundpayload_changelist")
    assert b"in the inbound spool" not in admin_client.get(changelist).content
    for n in range(2):
        assert send(client, sender, account, n).status_code == 200
    page = admin_client.get(changelist).content.decode()
    assert "2 received payloads wait in the inbound spool" in page
    batch.drain()
    assert "in the inbound spool" not in admin_client.get(changelist).content.decode()
