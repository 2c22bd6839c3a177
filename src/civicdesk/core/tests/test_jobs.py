"""Jobs enqueued by name: every name is a real task, and enqueue_on_commit waits for the commit."""

import pytest
from django.utils.module_loading import import_string

from civicdesk.channels.models import PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.core import jobs

NAMES = [jobs.DELIVER_MESSAGE, jobs.DELIVER_MESSAGES, jobs.PROCESS_PAYLOAD, jobs.PROCESS_BATCH_REQUEST,
         jobs.SEND_FORWARDED_CASE, jobs.SEND_PASSWORD_LINK, jobs.SEND_NOTIFICATION_EMAIL, jobs.FETCH_RECORDING,
         jobs.AFTER_RESOLUTION]


@pytest.mark.parametrize("name", NAMES)
def test_every_job_name_is_a_task(name):
    found = import_string(name)
    assert callable(found.enqueue) and found.get_backend() is not None


@pytest.mark.django_db
def test_a_job_runs_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    payload, _ = store_payload("web", b"{}", provider_message_id="jobs-test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue_on_commit(jobs.PROCESS_PAYLOAD, payload.pk)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.RECEIVED and len(callbacks) == 1
    callbacks[0]()  # the commit: the (immediate, in tests) task processes the payload
    payload.refresh_from_db()
    assert payload.status != PayloadStatus.RECEIVED


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_job_commits_with_the_transaction_or_not_at_all(settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["inbound"]}}
    with transaction.atomic():
        jobs.enqueue_with_transaction(jobs.PROCESS_PAYLOAD, 1)
        assert DBTaskResult.objects.count() == 1  # written inside the transaction, not after it
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue_with_transaction(jobs.PROCESS_PAYLOAD, 2)
        raise RuntimeError("the caller's transaction fails")
    assert list(DBTaskResult.objects.values_list("args_kwargs", flat=True)) == [{"args": [1], "kwargs": {}}]


@pytest.mark.django_db
def test_with_another_backend_a_job_in_a_transaction_waits_for_the_commit(django_capture_on_commit_callbacks):
    payload, _ = store_payload("web", b"{}", provider_message_id="jobs-test-2")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue_with_transaction(jobs.PROCESS_PAYLOAD, payload.pk)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.RECEIVED and len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_gathered_jobs_become_one_job_per_queue_and_a_lone_one_stays_itself_and_an_error_drops_them(settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["automatic", "email"]}}
    with transaction.atomic(), jobs.gathered():
        for message_id in (1, 2, 3):
            jobs.enqueue_with_transaction(jobs.DELIVER_MESSAGE, message_id, queue_name="automatic")
        jobs.enqueue_with_transaction(jobs.DELIVER_MESSAGE, 4, queue_name="email")
    rows = {row.queue_name: (row.task_path, row.args_kwargs["args"]) for row in DBTaskResult.objects.all()}
    assert rows == {"automatic": (jobs.DELIVER_MESSAGES, [[1, 2, 3]]), "email": (jobs.DELIVER_MESSAGE, [4])}
    with pytest.raises(RuntimeError), transaction.atomic(), jobs.gathered():
        jobs.enqueue_with_transaction(jobs.DELIVER_MESSAGE, 5, queue_name="automatic")
        raise RuntimeError("the group fails")
    assert DBTaskResult.objects.count() == 2
