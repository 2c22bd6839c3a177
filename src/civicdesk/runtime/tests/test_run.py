"""`civicdesk run` end to end: it serves the portal, mail to its SMTP listener becomes a case; a worker per queue."""

import os
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check, timeout: float = 60.0, interval: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def civicdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "civicdesk", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_run_serves_web_worker_and_mail(tmp_path: Path) -> None:
    web_port, smtp_port = free_port(), free_port()
    env = {**os.environ, "CIVICDESK_VAR_DIR": str(tmp_path), "PORT": str(web_port), "SMTP_PORT": str(smtp_port),
           "WEB_WORKERS": "1", "EMAIL_PORT": str(free_port())}
    for name in ("DATABASE_URL", "EMAIL_HOST", "SITE_URL"):
        env.pop(name, None)
    assert civicdesk("migrate", "-v", "0", env=env).returncode == 0
    seeded = civicdesk("seed-demo", "--yes-demo-passwords", env=env)
    assert seeded.returncode == 0, seeded.stderr
    server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # a dozen processes start (web, workers, listeners, scheduler): on a loaded 2-core machine that takes time
        home = wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{web_port}/", timeout=5).read(),
                        timeout=180)
        assert b"Riverbend" in home
        wait_for(lambda: socket.create_connection(("127.0.0.1", smtp_port), timeout=2).close() or True)

        mail = EmailMessage()
        mail["From"] = "Pat Resident <pat.resident@example.com>"
        mail["To"] = "311@riverbend.example"
        mail["Subject"] = "Streetlight out on Elm Street run-test"
        mail["Message-ID"] = "<run-test-1@example.com>"
        mail.set_content("The light at Elm and 4th has been out for a week.")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.send_message(mail)

        database = tmp_path / "civicdesk.sqlite3"

        def case_number() -> str | None:
            with sqlite3.connect(database, timeout=10) as db:
                row = db.execute("SELECT number FROM cases_case WHERE subject LIKE '%run-test%'").fetchone()
            return row[0] if row else None

        number = wait_for(case_number, timeout=30)
        assert number.startswith("CD-")

        def jobs() -> list[tuple[str, str, str]]:
            with sqlite3.connect(database, timeout=10) as db:
                return db.execute("SELECT task_path, queue_name, worker_ids FROM django_tasks_database_dbtaskresult "
                                  "WHERE worker_ids != '[]'").fetchall()

        def ran() -> dict[str, tuple[str, str]]:
            found = {path.rsplit(".", 1)[1]: (queue, workers) for path, queue, workers in jobs()}
            return found if {"process_payload", "deliver_message"} <= found.keys() else {}

        # the mail was processed by the worker of the inbound queue; its acknowledgement went to the background lane,
        # whose worker runs at a lower CPU priority
        queues = wait_for(ran, timeout=90)  # five workers start on a busy machine
        assert queues["process_payload"][0] == "inbound" and '"worker-inbound-' in queues["process_payload"][1]
        assert queues["deliver_message"][0] == "automatic" and '"worker-automatic-' in queues["deliver_message"][1]
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        niceness = {Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[5].decode(): int(
            Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16]) for pid in children
            if b"db_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()}
        assert niceness["automatic"] > niceness["email"], niceness

        def captured() -> tuple[str, str] | None:  # no EMAIL_HOST: the acknowledgement is kept in the outbox
            with sqlite3.connect(database, timeout=10) as db:
                return db.execute("SELECT m.delivery_status, o.text FROM cases_message m JOIN mail_capturedemail o "
                                  "ON o.message_id = m.email_message_id WHERE m.recipient = "
                                  "'pat.resident@example.com'").fetchone()

        status, text = wait_for(captured, timeout=30)
        assert status == "captured"
        assert f"http://127.0.0.1:{web_port}/status/" in text  # SITE_URL followed PORT
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert server.returncode == 0, output
    assert "CivicDesk stopped." in output
    for queue in settings.TASK_QUEUES:  # one worker per queue, each for its queue alone
        assert f"Started worker-{queue}-0 " in output, output
