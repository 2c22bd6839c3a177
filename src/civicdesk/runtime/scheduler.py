"""Periodic jobs: APScheduler enqueues Django tasks on a timer; workers run them."""

import importlib.util
import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def _available(path: str) -> bool:
    module = path.rsplit(".", 1)[0]
    return importlib.util.find_spec(module) is not None


def _enqueue(path: str) -> None:
    close_old_connections()
    try:
        import_string(path).enqueue()
    except Exception:  # a failed enqueue must not stop the scheduler
        log.exception("Could not enqueue periodic task %s", path)
    finally:
        close_old_connections()


def build_scheduler(periodic: list[tuple[str, int]] | None = None) -> BackgroundScheduler:
    """A scheduler with one interval job per (task path, seconds) in settings.PERIODIC_TASKS."""
    scheduler = BackgroundScheduler(timezone=settings.TIME_ZONE)
    jobs: list[tuple[str, int]] = periodic if periodic is not None else settings.PERIODIC_TASKS
    for path, seconds in jobs:
        if not _available(path):
            log.info("Periodic task %s is not installed; skipping", path)
            continue
        options: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": seconds}
        scheduler.add_job(_enqueue, "interval", seconds=seconds, args=[path], id=path, **options)
    return scheduler
