"""The ASGI server's SQLite backend hands closed connections back to a pool and reuses them, unless they are dirty."""

import threading

import pytest
from django.db import DatabaseError
from django.db.utils import ConnectionHandler

from civicdesk.core.sqlite import base


@pytest.fixture
def handler(tmp_path, django_db_blocker):
    name = str(tmp_path / "pool.sqlite3")
    with django_db_blocker.unblock():
        yield ConnectionHandler({"default": {"ENGINE": "civicdesk.core.sqlite", "NAME": name}})
    for connection in base._idle.pop(name, []):
        connection.close()


def raw(handler):
    """The sqlite3 connection a new request gets (the handler's wrapper is per thread, like a request's)."""
    wrapper = handler["default"]
    wrapper.ensure_connection()
    return wrapper, wrapper.connection


def test_a_closed_connection_is_reused_by_the_next_request(handler):
    wrapper, first = raw(handler)
    wrapper.close()
    assert wrapper.connection is None
    wrapper, second = raw(handler)
    assert second is first
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] in ("delete", "wal")


def test_a_pooled_connection_serves_a_request_in_another_thread(handler):
    wrapper, first = raw(handler)
    wrapper.close()
    seen = []

    def request():
        other, connection = raw(handler)
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")
            seen.append((connection, cursor.fetchone()[0]))
        other.close()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert seen == [(first, 1)]


def test_a_connection_closed_after_a_database_error_is_not_reused(handler):
    wrapper, first = raw(handler)
    with pytest.raises(DatabaseError), wrapper.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    wrapper.close()
    _, second = raw(handler)
    assert second is not first


def test_a_connection_closed_inside_a_transaction_is_rolled_back_before_reuse(handler):
    wrapper, first = raw(handler)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x int)")
    first.execute("BEGIN")
    first.execute("INSERT INTO t VALUES (1)")
    wrapper.close()
    wrapper, second = raw(handler)
    assert second is first and not second.in_transaction
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 0


def test_a_write_waiting_for_the_lock_gets_it_soon_after_it_is_released(handler, tmp_path, monkeypatch):
    import sqlite3
    import time

    wrapper, _ = raw(handler)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    holder = sqlite3.connect(str(tmp_path / "pool.sqlite3"), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = []

    def release():
        time.sleep(0.2)
        released.append(time.monotonic())
        holder.execute("COMMIT")

    thread = threading.Thread(target=release)
    thread.start()
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")  # waits, asking every half millisecond
    done = time.monotonic()
    thread.join()
    assert done - released[0] < 0.05  # SQLite's own busy handler would sleep up to 100 ms at a time by then
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(base.EagerCursor, "timeout", 0.05)
    with pytest.raises(DatabaseError, match="locked"), wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (2)")  # still refused once the busy timeout has passed
    holder.execute("ROLLBACK")
    holder.close()
