"""The inbound spool: a webhook's verified payload goes into a small database file of its own, so the
answer never waits for the main database's one write lock, which the batch worker holds while it makes cases.

Same durability as the main database (WAL, its synchronous setting): an answered request is on disk. The batch
worker moves spooled payloads into the payload table (`move`, one transaction of the main database, deduplicated
exactly as `store_payload` does) and only then deletes them from the spool. A worker killed between the two finds
them again and the deduplication skips them, so each payload is stored once. Payloads wait in the spool only while
no worker runs (`pending` says how many).
INBOUND_SPOOL: "auto" (with the batch worker: on SQLite, and on PostgreSQL under `civicdesk run`, whose batch
workers on the same machine empty it), "on", "off".
"""

import fcntl
import json
import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from civicdesk.channels.models import InboundPayload
from civicdesk.channels.registry import get_adapter
from civicdesk.core.jobs import payloads_are_queued

SCHEMA = ("CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, "
          "provider_message_id TEXT NOT NULL, raw BLOB NOT NULL, meta TEXT NOT NULL, content_type TEXT NOT NULL, "
          "received_at TEXT NOT NULL)")
MOVE_LIMIT = 500
WORKER_HERE = "CIVICDESK_INBOUND_WORKER_HERE"  # set by `civicdesk run` for its processes when it starts batch workers
_local = threading.local()


def enabled() -> bool:
    """Whether webhooks write to the spool (only where the batch worker takes payloads from the table): "on", or
    "auto" with SQLite or under a `civicdesk run` that starts the batch workers on this machine (which sets
    WORKER_HERE for its processes): a web-only machine of a scale-out has no worker to empty a spool of its own."""
    mode = str(getattr(settings, "INBOUND_SPOOL", "auto")).lower()
    if mode == "off" or not payloads_are_queued():
        return False
    return mode == "on" or connection.vendor == "sqlite" or os.environ.get(WORKER_HERE) == "1"


def path() -> Path:
    """Next to the SQLite database (its test database too, one per test process), else in VAR_DIR."""
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and ":memory:" not in name and not name.startswith("file:"):
        return Path(name).with_name(Path(name).name + ".spool")
    return Path(settings.VAR_DIR) / "inbound.spool"


def _db() -> sqlite3.Connection:
    """This thread's connection to the spool (opened once, schema made on first use)."""
    where = path()
    found: sqlite3.Connection | None = getattr(_local, "db", None)
    if found is not None and getattr(_local, "path", None) == where:
        return found
    db = sqlite3.connect(where, timeout=20, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={getattr(settings, 'SQLITE_SYNCHRONOUS', 'NORMAL')}")
    db.execute("PRAGMA busy_timeout=20000")
    db.execute(SCHEMA)
    _local.db, _local.path = db, where
    return db


def append(channel: str, raw: bytes, *, meta: dict[str, Any], content_type: str, provider_message_id: str) -> None:
    """Keep one verified payload (one INSERT, its own transaction); `move` takes it to the payload table."""
    _db().execute("INSERT INTO spool (channel, provider_message_id, raw, meta, content_type, received_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  (channel, provider_message_id[:300], raw, json.dumps(meta), content_type[:120],
                   datetime.now(UTC).isoformat()))


def pending() -> int:
    """Payloads in the spool not moved yet."""
    if not path().exists():
        return 0
    return int(_db().execute("SELECT count(*) FROM spool").fetchone()[0])


def oldest_received_at() -> datetime | None:
    """When the oldest payload still in the spool was received (None: the spool is empty)."""
    if not path().exists():
        return None
    row = _db().execute("SELECT received_at FROM spool ORDER BY id LIMIT 1").fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def move(limit: int = MOVE_LIMIT) -> int:
    """Move up to `limit` spooled payloads, oldest first, into the payload table (one transaction, skipping any
    already there with the same provider id and content), then drop them from the spool; how many were read.
    One worker moves at a time: another finds the move lock taken and goes on to what is in the table (two moving
    the same rows stored nothing twice, but did the work twice and held the spool's lock against the webhooks)."""
    if not path().exists():
        return 0
    lock = _move_lock()
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0
    try:
        return _move(limit)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)


def _move_lock() -> int:
    """This thread's descriptor of the spool's move lock file (released by the kernel when a worker dies)."""
    where = Path(str(path()) + ".move-lock")
    found: int | None = getattr(_local, "lock", None)
    if found is not None and getattr(_local, "lock_path", None) == where:
        return found
    _local.lock, _local.lock_path = os.open(where, os.O_RDWR | os.O_CREAT, 0o600), where
    return int(_local.lock)


def _move(limit: int) -> int:
    rows = _db().execute("SELECT id, channel, provider_message_id, raw, meta, content_type, received_at FROM spool "
                         "ORDER BY id LIMIT ?", (limit,)).fetchall()
    if not rows:
        return 0
    prepared = []
    for _id, channel, pid, raw, meta_text, content_type, received_at in rows:
        meta = json.loads(meta_text)
        adapter = get_adapter(channel)
        pid = (pid or adapter.provider_message_id(raw, meta))[:300]
        prepared.append((channel, pid, adapter.content_hash(raw, meta), bytes(raw), meta, content_type,
                         datetime.fromisoformat(received_at)))
    with transaction.atomic():
        keys = {(channel, pid) for channel, pid, *_rest in prepared}
        known: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for channel in {channel for channel, _pid in keys}:
            for pk, pid, digest in (InboundPayload.objects.filter(
                    channel=channel, provider_message_id__in=[p for c, p in keys if c == channel])
                    .order_by("pk").values_list("pk", "provider_message_id", "content_hash")):
                known.setdefault((channel, pid), []).append((pk, digest))
        new = []
        for channel, pid, digest, raw, meta, content_type, received_at in prepared:
            seen = known.setdefault((channel, pid), [])
            if any(known_digest == digest for _pk, known_digest in seen):
                continue  # a provider's retry, or a move a killed worker already committed
            if seen and seen[0][0]:
                meta = {**meta, "reuses_provider_id_of": seen[0][0]}
            new.append(InboundPayload(channel=channel, provider_message_id=pid, content_hash=digest,
                                      reuses_provider_id=bool(seen), raw=raw, meta=meta, content_type=content_type,
                                      received_at=received_at))
            seen.append((0, digest))
        InboundPayload.objects.bulk_create(new, ignore_conflicts=True)  # a second worker moving the same rows
    _db().execute("DELETE FROM spool WHERE id <= ?", (rows[-1][0],))
    return len(rows)
