"""Jobs enqueued by name: every name is a real task, and enqueue_on_commit waits for the commit."""

import pytest
from django.utils.module_loading import import_string

from civicdesk.channels.models import PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.core import jobs

NAMES = [jobs.DELIVER_MESSAGE, jobs.PROCESS_PAYLOAD, jobs.PROCESS_BATCH_REQUEST, jobs.SEND_FORWARDED_CASE,
         jobs.SEND_PASSWORD_LINK, jobs.SEND_NOTIFICATION_EMAIL, jobs.FETCH_RECORDING]


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
