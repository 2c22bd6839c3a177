"""Under `civicdesk run` (its scheduler and task workers, a shared SQLite file): a target's breach is on the case's
timeline within 60 seconds of its due moment, with the assignee notified."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from civicdesk.testing.processes import migrated_environment, run_django

pytestmark = pytest.mark.slow

SETUP = """
from django.utils import timezone
from civicdesk.agencies.models import Agency
from civicdesk.slas.models import Hours, SlaPolicy
from civicdesk.testing.factories import create_staff
agency = Agency.objects.create(slug="311", name="Riverbend 311")
agent = create_staff("agent", agencies=[agency])
now = timezone.now()
SlaPolicy.objects.create(agency=agency, name="Fast", first_response_seconds=1, hours=Hours.CALENDAR,
                         warn_percent=None, created_at=now, updated_at=now)
"""

CREATE = """
from django.db import transaction
from django.contrib.auth.models import User
from civicdesk.agencies.models import Agency
from civicdesk.cases import actions
from civicdesk.cases.routing import Route
from civicdesk.slas.models import CaseTarget, SlaPolicy
SlaPolicy.objects.update(first_response_seconds=DUE_IN)
with transaction.atomic():
    case = actions.create_case(channel="web", route=Route(agency=Agency.objects.get(), team=None, reason="test"),
                               subject="Breach under run")
actions.assign(case, actor=None, assignee=User.objects.get(username="agent"))
print(CaseTarget.objects.get(case=case, kind="first_response").due_at.isoformat())
"""

BREACH = """
import json
from civicdesk.audit.models import AuditEntry
from civicdesk.notifications.models import Notification
found = AuditEntry.objects.filter(action="sla_breached").values_list("at", flat=True).first()
told = list(Notification.objects.filter(kind="sla_breached").values_list("recipient__username", flat=True))
print(json.dumps({"at": found.isoformat() if found else None, "told": told}))
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(port: int, server: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "civicdesk run exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("civicdesk run did not serve in time")


def test_a_breach_is_on_the_timeline_within_60_seconds_of_its_due_moment(tmp_path: Path) -> None:
    env = migrated_environment(tmp_path)
    port = free_port()
    env.update({"TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "SITE_URL": f"http://127.0.0.1:{port}",
                "WEB_WORKERS": "1", "LOG_LEVEL": "WARNING", "SMTP_PORT": str(free_port())})
    setup = run_django(SETUP, env)
    assert setup.returncode == 0, setup.stderr
    log = tmp_path / "server.log"
    with log.open("ab") as out:
        server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-smtp"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        wait_until_serving(port, server)
        made = run_django(CREATE.replace("DUE_IN", "20"), env)  # due 20 s from now, while everything runs
        assert made.returncode == 0, made.stderr
        due = datetime.fromisoformat(made.stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + 150
        while True:
            checked = run_django(BREACH, env)
            assert checked.returncode == 0, checked.stderr
            state = json.loads(checked.stdout.strip().splitlines()[-1])
            if state["at"] or time.monotonic() > deadline:
                break
            time.sleep(2)
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    assert state["at"], log.read_text()[-3000:]
    late = (datetime.fromisoformat(state["at"]) - due).total_seconds()
    assert 0 <= late <= 60, f"the breach was written {late:.1f} s after its due moment"
    assert state["told"] == ["agent"]
