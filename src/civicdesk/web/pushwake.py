"""Wake the stream pollers of the other processes on this host at once: one datagram per listening process.

A hub that holds streams of a wakeable feed (web/push.py) binds a Unix datagram socket named after the feed and its
process in a directory of the database's own (two sites on one host, or two test databases, never wake each
other). A process that commits a write the feed reports sends one byte to each of them, so a message written in
one web worker (or a task worker) reaches a stream held by another in a few milliseconds instead of at its next
poll. Best effort and local only: a full socket buffer (a wake already pending), a process that died, a directory
we cannot use, or a second host all fall back to the feed's polling, which stays the guarantee.
"""

import asyncio
import contextlib
import hashlib
import itertools
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from django.db import connections

log = logging.getLogger(__name__)

_numbers = itertools.count(1)
_sender: socket.socket | None = None
_sender_lock = threading.Lock()
_directories: dict[tuple[str, str, str, str], Path] = {}


def directory() -> Path:
    """The wake directory of the default database (short, under the temporary directory: socket paths are
    limited to about 100 bytes)."""
    conf = connections["default"].settings_dict
    ident = (str(conf.get("ENGINE", "")), str(conf.get("NAME", "")), str(conf.get("HOST", "")),
             str(conf.get("PORT", "")))
    found = _directories.get(ident)
    if found is None:
        digest = hashlib.sha256("\0".join(ident).encode()).hexdigest()[:16]
        found = _directories[ident] = Path(tempfile.gettempdir()) / f"civicdesk-push-{os.getuid()}-{digest}"
    return found


def _ours(folder: Path) -> bool:
    """The directory exists and belongs to this user alone (under a shared /tmp, another user could make it)."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


class Listener:
    """This process's wake socket for one feed, read by the event loop; close() removes it."""

    def __init__(self, sock: socket.socket, path: Path, on_wake: Callable[[str], None]) -> None:
        self.sock, self.path, self.on_wake = sock, path, on_wake

    def readable(self) -> None:
        topics: set[str] = set()
        with contextlib.suppress(OSError):
            while True:  # drain: several wakes before this read make one per topic
                topics.add(self.sock.recv(64).decode(errors="replace").removeprefix("!"))
        for topic in topics or {""}:
            self.on_wake(topic)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.sock)
        self.sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def listen(feed: str, on_wake: Callable[[str], None]) -> Listener | None:
    """Bind this process's wake socket for `feed` and call on_wake(topic) (on the running loop) on each wake."""
    try:
        folder = directory()
        if not _ours(folder):
            raise OSError(f"{folder} is not this user's own directory")
        path = folder / f"{feed}.{os.getpid()}.{next(_numbers)}"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            path.unlink()
        sock.bind(str(path))
    except OSError:
        log.info("Stream wakes are unavailable here; the %s streams poll", feed, exc_info=True)
        return None
    listener = Listener(sock, path, on_wake)
    asyncio.get_running_loop().add_reader(sock, listener.readable)
    return listener


def wake(feed: str, topic: str = "") -> None:
    """Wake every other process's hub of `feed` on this host (this process's own hub is poked directly); `topic`
    (a short word) says which part of the feed changed."""
    global _sender
    folder = directory()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    mine = f".{os.getpid()}."
    targets = [name for name in names if name.startswith(f"{feed}.") and mine not in name]
    if not targets or not _ours(folder):
        return
    with _sender_lock:
        if _sender is None:
            _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            _sender.setblocking(False)
    for name in targets:
        try:
            _sender.sendto(f"!{topic}".encode()[:64], str(folder / name))
        except BlockingIOError:
            pass  # its buffer is full: a wake is already waiting there
        except (ConnectionRefusedError, FileNotFoundError):
            with contextlib.suppress(OSError):
                (folder / name).unlink()  # a process that ended without removing its socket (kill -9)
        except OSError:
            log.debug("Could not wake %s", name, exc_info=True)
