"""Enqueue background jobs by task name, so actions never import the task modules that import them back."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks_db.backend import DatabaseBackend

from civicdesk.core.gathering import gathering

# The jobs actions enqueue, by name (a test checks that each is a task).
DELIVER_MESSAGE = "civicdesk.conversations.tasks.deliver_message"
DELIVER_MESSAGES = "civicdesk.conversations.tasks.deliver_messages"
PROCESS_PAYLOAD = "civicdesk.conversations.tasks.process_payload"
FETCH_MESSAGE_MEDIA = "civicdesk.conversations.tasks.fetch_message_media"
PROCESS_BATCH_REQUEST = "civicdesk.open311.tasks.process_batch_request"
SEND_FORWARDED_CASE = "civicdesk.open311.tasks.send_forwarded_case"
SEND_PASSWORD_LINK = "civicdesk.accounts.tasks.send_password_link"
SEND_NOTIFICATION_EMAIL = "civicdesk.notifications.tasks.send_notification_email"
POLL_ACCOUNT = "civicdesk.channels.tasks.poll_account"
FETCH_RECORDING = "civicdesk.telephony.tasks.fetch_recording"
ASSIGN_CASE = "civicdesk.assignment.tasks.assign_case"
ASSIGN_WAITING = "civicdesk.assignment.tasks.assign_waiting"
AFTER_AWAY_CHANGE = "civicdesk.assignment.tasks.after_away_change"
AFTER_RESOLUTION = "civicdesk.satisfaction.tasks.after_resolution"


# A task whose jobs, enqueued inside gathered(), become one job of its counterpart taking a list of the arguments.
GATHERED_AS = {DELIVER_MESSAGE: DELIVER_MESSAGES}
_gathering: ContextVar[dict[tuple[str, str | None], list[Any]] | None] = ContextVar("gathered_jobs", default=None)


def can_defer(task_path: str) -> bool:
    """Whether the task's backend can hold a job until a later time."""
    return bool(import_string(task_path).get_backend().supports_defer)


def enqueue(task_path: str, *args: Any, run_after: datetime | None = None, queue_name: str | None = None) -> None:
    """Enqueue the task at `task_path` now (a dotted path, e.g. "civicdesk.conversations.tasks.deliver_message").

    With `run_after`, the job waits until then where the task backend can defer; elsewhere it runs at once.
    With `queue_name`, it goes on that queue instead of the task's own (deliveries go on their provider's queue).
    """
    task = import_string(task_path)
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    if queue_name is not None:
        task = task.using(queue_name=queue_name)
    task.enqueue(*args)


def enqueue_on_commit(task_path: str, *args: Any, run_after: datetime | None = None,
                      queue_name: str | None = None) -> None:
    """Enqueue the task once the current transaction commits (at once outside one), as actions do."""
    transaction.on_commit(lambda: enqueue(task_path, *args, run_after=run_after, queue_name=queue_name))


def enqueue_with_transaction(task_path: str, *args: Any, queue_name: str | None = None) -> None:
    """Enqueue the task as part of the current transaction when the task backend keeps its jobs in this database:
    the job row commits with the caller's writes or not at all, in one transaction instead of a second one after
    the commit (on SQLite, one turn at the write lock instead of two: the inbound webhooks' hot path). With any other
    backend (which runs or sends jobs elsewhere, or at once) it waits for the commit, as enqueue_on_commit."""
    task = import_string(task_path)
    if isinstance(task.get_backend(), DatabaseBackend) and transaction.get_connection().in_atomic_block:
        pending = _gathering.get()
        if pending is not None and task_path in GATHERED_AS and len(args) == 1:
            pending.setdefault((task_path, queue_name), []).append(args[0])
            return
        if queue_name is not None:
            task = task.using(queue_name=queue_name)
        task.enqueue(*args)
        return
    enqueue_on_commit(task_path, *args, queue_name=queue_name)


@contextmanager
def gathered() -> Iterator[None]:
    """Jobs enqueue_with_transaction adds inside, of a task in GATHERED_AS, become one job per queue when it ends
    without an error: the inbound batch worker's group makes a dozen acknowledgements, and one deliver_messages job
    sends them all (one job row to write and one to claim, not a dozen). The caller's transaction must span it, as
    enqueue_with_transaction's does; on an error the gathered jobs are dropped with what they were for."""
    with gathering(_gathering, {}, _enqueue_gathered):
        yield


def _enqueue_gathered(pending: dict[tuple[str, str | None], list[Any]]) -> None:
    for (task_path, queue_name), values in pending.items():
        if len(values) == 1:
            enqueue_with_transaction(task_path, values[0], queue_name=queue_name)
        else:
            enqueue_with_transaction(GATHERED_AS[task_path], values, queue_name=queue_name)


def payloads_are_queued() -> bool:
    """Whether a stored inbound payload waits in the payload table for the inbound batch worker (`civicdesk
    inbound_worker`, which `civicdesk run` starts) instead of getting a process_payload job of its own: with
    INBOUND_BATCH_WORKER on and the task backend the database's (an immediate backend, in tests, runs the job)."""
    return bool(settings.INBOUND_BATCH_WORKER) and isinstance(import_string(PROCESS_PAYLOAD).get_backend(),
                                                              DatabaseBackend)
