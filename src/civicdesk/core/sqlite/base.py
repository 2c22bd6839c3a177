"""Django's SQLite backend with a per-process pool of open connections, for the ASGI server.

Under ASGI every request runs its sync code in a thread and a connection context of its own, so Django closes the
request's connection at its end (CONN_MAX_AGE 0) and the next request opens a new one: connect, register the SQL
functions, run the PRAGMAs, re-read the schema (several ms a request, a third of an Open311 POST). Here closing
hands the open sqlite3 connection back to a pool of the process instead, and connecting takes one from it. A
connection is used by one request at a time (Django opens connections with check_same_thread=False, so the thread
may change between requests); one is really closed when it was left in a transaction or after a database error,
and the pool keeps at most POOL_SIZE idle connections.
"""

import sqlite3
import threading
from typing import Any

from django.db.backends.sqlite3 import base

POOL_SIZE = 16

_lock = threading.Lock()
_idle: dict[str, list[sqlite3.Connection]] = {}


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        if not self.is_in_memory_db():
            with _lock:
                pool = _idle.get(self.settings_dict["NAME"])
                if pool:
                    return pool.pop()
        return super().get_new_connection(conn_params)

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

