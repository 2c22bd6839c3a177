"""Rate limits are shared across processes: the default cache lives in the database without REDIS_URL."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from civicdesk.web.ratelimit import count_hit

COUNTER = """
import sys, time, django
django.setup()
from django.db import connection
from civicdesk.web.ratelimit import count_hit
start, hits, limit, now = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
connection.ensure_connection()
while time.time() < start:
    time.sleep(0.001)
counts = [count_hit("two-processes", "one-client", limit=limit, window_seconds=3600, now=now) for _ in range(hits)]
print(sum(c.allowed for c in counts), max(c.used for c in counts))
"""


def test_without_redis_the_default_cache_is_the_database_and_local_stays_per_process() -> None:
    assert settings.CACHES["default"]["BACKEND"] == "civicdesk.runtime.cache.SharedDatabaseCache"
    assert settings.CACHES["local"]["BACKEND"].endswith("LocMemCache")
    assert caches["local"] is not cache


@pytest.mark.slow
def test_two_processes_on_one_sqlite_file_together_get_exactly_the_limit(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"CIVICDESK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "civicdesk.settings"})
    migrated = subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env,
                              capture_output=True, text=True, timeout=600)
    assert migrated.returncode == 0, migrated.stderr
    start, hits, limit = time.time() + 4, 60, 50
    now = (start // 3600) * 3600 + 1800  # one fixed window for both
    workers = [subprocess.Popen([sys.executable, "-c", COUNTER, str(start), str(hits), str(limit), str(now)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results.append([int(n) for n in out.split()])
    assert sum(allowed for allowed, _ in results) == limit  # not 2 x limit, as with a per-process cache
    assert max(used for _, used in results) == 2 * hits  # no hit was lost between the two processes


@pytest.mark.django_db(transaction=True)
def test_concurrent_connections_lose_no_hits_on_this_database() -> None:
    """Threads with their own connections to PostgreSQL (row lock in incr) count every hit."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is in shared memory; the two-process test above covers SQLite")
    cache.clear()
    now, errors = time.time() // 3600 * 3600 + 1800, []

    def count_many() -> None:
        try:
            for _ in range(25):
                count_hit("threads", "one-client", limit=1000, window_seconds=3600, now=now)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=count_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert count_hit("threads", "one-client", limit=1000, window_seconds=3600, now=now).used == 101
    cache.clear()
