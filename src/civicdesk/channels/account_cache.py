"""The webhook's channel account and its resolved credentials, kept per process: one lookup, not one per request.

A webhook request needs the account row (active? which provider and channel?) and its credentials (decrypted, or
read from the environment) before it can verify a signature. Reading and decrypting them on every request was a
fifth of an inbound SMS webhook's CPU (bench/README.md). Each web process keeps what it read, keyed by provider and
id, until an account changes:

- Any change to an account (a save, a delete, `set_account_active`, X's contract confirmation) calls `changed()`,
  which empties this process's cache and replaces a marker file in VAR_DIR (a new inode and time): every other
  process on the machine sees the marker differ from the one it cached under (one `stat` per request) and reads
  afresh. It is replaced at once and again once the change commits, so no process keeps what it read before.
- An entry older than MAX_AGE seconds is read again anyway (a change made by other means, or on another machine
  sharing the database: a deactivated account may still receive for that long).

Health writes (last inbound, last error, rejections, cursor, limits) do not count as changes: the webhook reads none
of them. Only an account found active with readable credentials is kept.
"""

import os
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from civicdesk.channels.credentials import CredentialsError
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.registry import AccountConfig

MAX_AGE = 10.0
MARKER = "channel-accounts.changed"
_entries: dict[tuple[str, int], tuple[tuple[int, int], float, ChannelAccount, AccountConfig]] = {}


def _marker_path() -> str:
    return os.path.join(str(settings.VAR_DIR), MARKER)


def _marker() -> tuple[int, int]:
    """The marker file's inode and modification time ((0, 0) before any change)."""
    try:
        found = os.stat(_marker_path())
    except OSError:
        return (0, 0)
    return (found.st_ino, found.st_mtime_ns)


def _touch() -> None:
    _entries.clear()
    path = _marker_path()
    temporary = f"{path}.{os.getpid()}.{uuid.uuid4().hex}"
    try:
        with open(temporary, "w") as out:
            out.write(uuid.uuid4().hex)
        os.replace(temporary, path)  # a new inode: differs from the last marker even within one clock tick
    except OSError:
        pass  # a read-only VAR_DIR: entries still expire after MAX_AGE


def changed() -> None:
    """An account changed: forget every cached account here, and tell the other processes (now and on commit)."""
    _touch()
    transaction.on_commit(_touch)


def active_account(provider: str, account_id: int) -> tuple[ChannelAccount, AccountConfig | None] | None:
    """The active account of this provider and id with its config (credentials resolved; None when they cannot be
    read, and then nothing is kept), or None: no such active account."""
    key = (provider, account_id)
    marker = _marker()
    now = time.monotonic()
    known = _entries.get(key)
    if known is not None and known[0] == marker and now - known[1] < MAX_AGE:
        return known[2], known[3]
    found = list(ChannelAccount.objects.filter(pk=account_id, provider=provider, is_active=True).order_by()[:1])
    if not found:  # (no ORDER BY: the pk finds one row)
        _entries.pop(key, None)
        return None
    account = found[0]
    try:
        config = AccountConfig.of(account)
    except CredentialsError:
        _entries.pop(key, None)
        return account, None
    _entries[key] = (marker, now, account, config)
    return account, config


@receiver(post_save, sender=ChannelAccount)
@receiver(post_delete, sender=ChannelAccount)
def _account_saved(sender: Any, **kwargs: Any) -> None:
    changed()
