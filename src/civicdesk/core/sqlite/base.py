"""Django's SQLite backend with a per-process pool of open connections, for the ASGI server.

Under ASGI every request runs its sync code in a thread and a connection context of its own, so Django closes the
request's connection at its end (CONN_MAX_AGE 0) and the next request opens a new one: connect, register the SQL
functions, run the PRAGMAs, re-read the schema (several ms a request, a third of an Open311 POST). Here closing
hands the open sqlite3 connection back to a pool of the process instead, and connecting takes one from it. A
connection is used by one request at a time (Django opens connections with check_same_thread=False, so the thread
may change between requests); one is really closed when it was left in a transaction or after a database error,
and the pool keeps at most POOL_SIZE idle connections.

A web request that needs SQLite's one write lock while a worker holds it asks again every half millisecond
(`EagerCursor`) instead of sleeping in SQLite's busy handler, whose waits grow to 100 ms: the worker pauses
between its write transactions (conversations/batch.py), and a request waiting that long would miss the gap, so
webhook answers queued behind whole batches.
"""

import sqlite3
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

POOL_SIZE = 16
RETRY_SECONDS = 0.0005

_lock = threading.Lock()
_idle: dict[str, list[sqlite3.Connection]] = {}


class EagerCursor(base.SQLiteCursorWrapper):
    """Outside a transaction, a statement that finds the write lock taken is tried again every RETRY_SECONDS until
    the busy timeout (the connection's own busy handler is off). Nothing ran, so trying again is safe; inside a
    transaction (BEGIN IMMEDIATE took the lock, or WAL readers that never wait) statements run as usual."""

    timeout = 20.0

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction:
            return super().execute(query, params)
        return self._eagerly(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.connection.in_transaction:
            return super().executemany(query, param_list)
        return self._eagerly(super().executemany, query, list(param_list))

    def _eagerly(self, run: Any, query: str, params: Any) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return run(query, params)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(RETRY_SECONDS)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        if not self.is_in_memory_db():
            with _lock:
                pool = _idle.get(self.settings_dict["NAME"])
                if pool:
                    return pool.pop()
        connection: sqlite3.Connection = super().get_new_connection(conn_params)
        connection.execute("PRAGMA busy_timeout = 0")
        return connection

    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=EagerCursor)

    def _close(self) -> None:
        connection = self.connection
        if connection is None or self.is_in_memory_db():
            return super()._close()  # type: ignore[misc]  # not in django-stubs
        reusable = not self.in_atomic_block and not self.errors_occurred
        if reusable and connection.in_transaction:
            try:
                connection.rollback()
            except sqlite3.Error:
                reusable = False
        if reusable:
            with _lock:
                pool = _idle.setdefault(self.settings_dict["NAME"], [])
                if len(pool) < POOL_SIZE:
                    pool.append(connection)
                    return None
        return super()._close()  # type: ignore[misc]  # not in django-stubs

