"""Kill -9 of every process of `civicdesk run` during a burst of inbound texts: each accepted text is on exactly one
case message, and Twilio's retries of the unanswered ones make no duplicate. Run with the inbound batch worker (whose
processes are first killed alone, mid-group, and restarted by `run`) and with a process_payload job per text."""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from civicdesk.testing.processes import migrated_environment, run_django

pytestmark = pytest.mark.slow

OUR_NUMBER = "+15550100777"
TOKEN = "kill-test-auth-token"

SETUP = f"""
from civicdesk.agencies.models import Agency
from civicdesk.channels.models import ChannelAccount
agency = Agency.objects.create(slug="311", name="Riverbend 311")
account = ChannelAccount(channel="sms", provider="twilio", agency=agency, address="{OUR_NUMBER}",
                         credentials_ref="env:KILLTEST_TWILIO")
account.save()
print(account.pk)
"""

RECOVER = """
from civicdesk.conversations.tasks import recover_stalled
recover_stalled.call(older_than_seconds=0)
"""

COUNT = """
import json, sys
from django.db.models import Count
from civicdesk.cases.models import Message
from civicdesk.channels.models import InboundPayload
counts = dict(Message.objects.filter(channel="sms", direction="in").values_list("provider_message_id")
              .annotate(n=Count("pk")))
cases = dict(Message.objects.filter(channel="sms", direction="in").values_list("provider_message_id", "case_id"))
left = InboundPayload.objects.filter(channel="sms", status="received").count()
print(json.dumps({"counts": counts, "left": left, "on_case": sum(1 for c in cases.values() if c)}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sender:
    """Texts signed as Twilio signs them; a text counts as accepted once it was answered 200."""

    def __init__(self, port: int, account_id: int) -> None:
        self.port, self.path = port, f"/hooks/twilio/{account_id}/"
        self.url = f"http://127.0.0.1:{port}{self.path}"
        self.accepted: set[str] = set()
        self.unanswered: set[str] = set()
        self.lock = threading.Lock()

    def params(self, n: int) -> dict[str, str]:
        sid = f"SMkill{n:028d}"
        return {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "1" * 32,
                "From": f"+1215555{n % 40:04d}", "To": OUR_NUMBER, "Body": f"Flooding on River Road ({n})",
                "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}

    def send(self, n: int) -> None:
        params = self.params(n)
        sid = params["MessageSid"]
        headers = {"Content-Type": "application/x-www-form-urlencoded", "I-Twilio-Idempotency-Token": f"{sid}-1",
                   "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(self.url, params)}
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            connection.request("POST", self.path, body=urlencode(params), headers=headers)
            status = connection.getresponse().status
            connection.close()
        except OSError:
            status = 0
        with self.lock:
            if status == 200:
                self.accepted.add(sid)
                self.unanswered.discard(sid)
            else:
                self.unanswered.add(sid)

    def burst(self, numbers: range, stop: threading.Event) -> None:
        for n in numbers:
            if stop.is_set():
                return
            self.send(n)


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`civicdesk run` in a process group of its own, so one signal reaches the web server and every worker."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-smtp"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_serving(port: int, server: subprocess.Popen[bytes], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "civicdesk run exited"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("civicdesk run did not serve in time")


def kill_all(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)


def batch_workers(server: subprocess.Popen[bytes]) -> list[int]:
    """The pids of the inbound batch workers `civicdesk run` started (its process group's)."""
    pids = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            if entry.name.isdigit() and os.getpgid(int(entry.name)) == server.pid and (
                    b"inbound_worker" in (entry / "cmdline").read_bytes()):
                pids.append(int(entry.name))
    return pids


def wait_accepted(sender: Sender, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(sender.accepted) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("batch_worker", [True, False], ids=["batch-worker", "job-per-text"])
def test_every_accepted_text_is_on_exactly_one_case_after_kill_9_of_web_and_workers(
        tmp_path: Path, batch_worker: bool) -> None:
    env = migrated_environment(tmp_path)
    port = free_port()
    env.update({"TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "SITE_URL": f"http://127.0.0.1:{port}",
                "KILLTEST_TWILIO_AUTH_TOKEN": TOKEN, "KILLTEST_TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                "WEB_WORKERS": "2", "LOG_LEVEL": "WARNING", "INBOUND_BATCH_WORKER": str(batch_worker).lower()})
    setup = run_django(SETUP, env)
    assert setup.returncode == 0, setup.stderr
    sender = Sender(port, int(setup.stdout.strip()))
    log = tmp_path / "server.log"

    server = start_server(port, env, log)
    try:
        wait_until_serving(port, server)
        stop = threading.Event()
        threads = [threading.Thread(target=sender.burst, args=(range(i, 100_000, 4), stop)) for i in range(4)]
        for thread in threads:
            thread.start()
        if batch_worker:  # the batch workers alone, mid-group; `run` starts new ones, which take the rest
            wait_accepted(sender, 20)
            workers = batch_workers(server)
            assert workers, log.read_text()[-3000:]
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
        wait_accepted(sender, 40)  # mid-burst: texts stored, some processed
        kill_all(server)  # web (gunicorn and its workers), every task worker and the scheduler, at once
        time.sleep(1)  # texts keep coming while nothing answers: Twilio will retry those
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        accepted_before = len(sender.accepted)
        assert accepted_before >= 40, log.read_text()[-3000:]

        server = start_server(port, env, log)
        wait_until_serving(port, server)
        for sid in sorted(sender.unanswered):  # Twilio's retries: the same text, signature and idempotency token
            sender.send(int(sid.removeprefix("SMkill")))
        assert not sender.unanswered, f"retries refused: {sorted(sender.unanswered)[:5]}"
        # the periodic recovery re-enqueues what a killed worker held (here at once, not after two minutes); the
        # batch worker takes a killed one's payloads again once their lease runs out
        assert run_django(RECOVER, env).returncode == 0
        deadline = time.monotonic() + 180
        while True:
            counted = run_django(COUNT, env)
            assert counted.returncode == 0, counted.stderr
            state = json.loads(counted.stdout.strip().splitlines()[-1])
            if (set(state["counts"]) >= sender.accepted and not state["left"]) or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        kill_all(server)

    counts = state["counts"]
    missing = sorted(sender.accepted - set(counts))
    duplicated = {sid: n for sid, n in counts.items() if n != 1}
    assert not missing, f"{len(missing)} accepted texts are on no case: {missing[:5]}"
    assert not duplicated, f"texts on more than one message: {duplicated}"
    assert set(counts) == sender.accepted  # nothing unaccepted was stored either (every retry was answered)
    assert state["on_case"] == len(sender.accepted)
