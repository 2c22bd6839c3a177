"""The shared cache without Redis: Django's database cache with an increment that is atomic across processes."""

import base64
import pickle
import time
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import OperationalError, connections, models, router, transaction
from django.utils.timezone import now as tz_now

CACHE_TABLE = "civicdesk_cache"  # created by the runtime app's migration, so `migrate` is enough
LOCKED_RETRIES = 5


class SharedDatabaseCache(DatabaseCache):
    """DatabaseCache whose incr locks the row (PostgreSQL) or the database (SQLite) while it adds.

    Django's own incr is a get followed by a set, so two processes counting at once lose hits; rate limits
    (cache.add, then cache.incr) need every hit counted.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        """Add `delta` atomically. SQLite's shared-cache databases (the test suite's in-memory one) answer "table is
        locked" at once instead of waiting like a WAL file does; on its own transaction, that is retried briefly so a
        concurrent writer never turns a counted hit into a 500."""
        db = router.db_for_write(self.cache_model_class)
        retries = LOCKED_RETRIES if not connections[db].in_atomic_block else 0
        for attempt in range(retries + 1):
            try:
                return self._incr(key, delta, version, db)
            except OperationalError as error:
                if attempt == retries or "locked" not in str(error):
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def _incr(self, key: Any, delta: int, version: int | None, db: str) -> int:
        key = self.make_and_validate_key(key, version=version)
        connection = connections[db]
        qn = connection.ops.quote_name
        table = qn(self._table)  # type: ignore[attr-defined]
        cache_key, value_column, expires = qn("cache_key"), qn("value"), qn("expires")
        value = None
        # No savepoint: inside a request's or a test's transaction this is two queries; nothing below raises
        # on purpose before the block ends (a missing key is reported after it).
        with transaction.atomic(using=db, savepoint=False), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT {value_column}, {expires} FROM {table} WHERE {cache_key} = %s FOR UPDATE",
                               [key])
            else:
                if not self._begins_immediate(connection):  # take SQLite's write lock before reading
                    cursor.execute(f"UPDATE {table} SET {expires} = {expires} WHERE {cache_key} = %s", [key])
                cursor.execute(f"SELECT {value_column}, {expires} FROM {table} WHERE {cache_key} = %s", [key])
            row = cursor.fetchone()
            if row is not None and not self._expired(connection, row[1]):
                value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                cursor.execute(f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s", [encoded, key])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)

    @staticmethod
    def _begins_immediate(connection: Any) -> bool:
        """True when SQLite transactions start with BEGIN IMMEDIATE (our settings), which takes the write lock."""
        mode = str(connection.settings_dict.get("OPTIONS", {}).get("transaction_mode", ""))
        return connection.vendor == "sqlite" and mode.upper() == "IMMEDIATE"

    @staticmethod
    def _expired(connection: Any, expires: Any) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return bool(expires < tz_now())
