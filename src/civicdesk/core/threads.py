"""A long-running thread per item (a streaming account, a live listening stream), restarted when it ends."""

import logging
import threading
from collections.abc import Callable, Iterable

from django.db import close_old_connections

log = logging.getLogger(__name__)


def keep_threads(stop: threading.Event, ids: Callable[[], Iterable[int]], hold: Callable[[int, threading.Event], None],
                 *, name: str, refresh: float) -> None:
    """Until `stop` is set: every `refresh` seconds read the ids to hold, and start `hold(id, stop)` in a thread of
    its own for each one that has no live thread (new, or its thread ended). Then wait for the threads a moment."""
    threads: dict[int, threading.Thread] = {}
    while not stop.is_set():
        close_old_connections()
        try:
            wanted = list(ids())
        except Exception as exc:  # the database is away for a moment: try again at the next refresh
            log.warning("Could not read what the %s threads hold: %s", name, type(exc).__name__)
            wanted = []
        for pk in wanted:
            thread = threads.get(pk)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=hold, args=(pk, stop), daemon=True, name=f"{name}-{pk}")
                threads[pk] = thread
                thread.start()
        stop.wait(refresh)
    for thread in threads.values():
        thread.join(timeout=5)
