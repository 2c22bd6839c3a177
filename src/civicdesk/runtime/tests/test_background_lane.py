"""Automatic messages go on the background lane, whose worker `civicdesk run` starts at a lower CPU priority."""

import subprocess
import sys

from django.test import override_settings

from civicdesk.channels.queues import delivery_queue
from civicdesk.runtime.supervisor import Child, task_workers


def test_an_automatic_message_goes_on_the_background_lane_and_a_staff_reply_on_its_provider_s_queue():
    assert delivery_queue("sms", automatic=True) == "automatic"
    assert delivery_queue("sms") == "sms"
    assert delivery_queue("email", True) == "automatic"
    with override_settings(AUTOMATIC_DELIVERY_QUEUE=""):
        assert delivery_queue("sms", automatic=True) == "sms"


def test_only_the_background_queues_workers_are_started_nicer():
    workers = task_workers(["sms", "automatic"], 1, {"automatic": 19})
    assert [(w.name, w.niceness) for w in workers] == [("worker-sms-0", 0), ("worker-automatic-0", 19)]


def test_a_nicer_child_really_runs_at_that_niceness():
    probe = [sys.executable, "-c", "import os; print(os.nice(0))"]
    base = int(subprocess.run(probe, capture_output=True, text=True, check=True).stdout)
    child = Child("probe", probe, niceness=5)
    with subprocess.Popen(probe, stdout=subprocess.PIPE, text=True, preexec_fn=child._lower_priority) as process:
        seen = int(process.communicate()[0])
    assert seen == min(19, base + 5)
