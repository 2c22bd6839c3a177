"""Two real CivicDesk servers (gunicorn, separate SQLite files) as two jurisdictions on loopback.

Riverbend (A) receives a request over Open311, forwards it to Northfield (B) with the CLI; B's agent answers and
closes it; A's periodic pull brings the answer back. The checker and our client run against both servers.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from civicdesk.open311.client import GeoReportClient
from civicdesk.open311.tests.conftest import POTHOLE

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    def __init__(self, root: Path, name: str, jurisdiction: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/open311/v2/"
        self.jurisdiction = jurisdiction
        self.env = {**os.environ, "CIVICDESK_VAR_DIR": str(root / name), "DATABASE_URL": "",
                    "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                    "OPEN311_JURISDICTIONS": jurisdiction, "SITE_URL": f"http://127.0.0.1:{self.port}",
                    "ALLOWED_HOSTS": "127.0.0.1", "CASE_NUMBER_PREFIX": name[:2].upper(), "EMAIL_PORT": "9"}
        self.server: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "civicdesk"), *args], env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def setup(self) -> subprocess.Popen:
        script = f"{BIN / 'civicdesk'} migrate -v0 && {BIN / 'civicdesk'} seed-demo --yes-demo-passwords --cases 0"
        return subprocess.Popen(["bash", "-c", script], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.server = subprocess.Popen(
            [str(BIN / "gunicorn"), "civicdesk.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "2", "--timeout", "60"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "discovery.json", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    root = tmp_path_factory.mktemp("jurisdictions")
    a, b = Instance(root, "riverbend", "riverbend.example"), Instance(root, "northfield", "northfield.example")
    setups = [a.setup(), b.setup()]
    for process in setups:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()[-2000:]
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_forward_across_two_jurisdictions_and_pull_back(cities):
    a, b = cities
    key_a = a.cli("open311", "key", "create", "resident-app").strip()
    key_b = b.cli("open311", "key", "create", "riverbend-city").strip()
    # A resident reports to Riverbend through Riverbend's own Open311 server.
    client_a = GeoReportClient(a.url, api_key=key_a, jurisdiction_id=a.jurisdiction, fmt="json")
    answer = client_a.post_request([(k, v) for k, v in POTHOLE.items()] + [("email", "res@example.com")])
    number = answer["service_request_id"]
    assert not number.startswith("RI-") and len(number) >= 16  # the random public id, not the case number
    # Riverbend's admin registers Northfield; an agent forwards the case with the CLI.
    a.cli("open311", "endpoint", "add", "Northfield", b.url, "--api-key", key_b, "--jurisdiction", b.jurisdiction,
          "--format", "xml", "--map", "pothole=pothole")
    out = a.cli("open311", "forward", number, "Northfield")
    assert "sent " in out and " NO-" not in out, out  # Northfield answers with its public id too
    remote = out.strip().rsplit(" ", 1)[-1]
    client_b = GeoReportClient(b.url, jurisdiction_id=b.jurisdiction)
    [seen] = client_b.requests(ids=[remote])
    assert seen["service_code"] == "pothole" and seen["status"] == "open"
    # Northfield answers publicly and closes it.
    b.cli("shell", "-c", "from civicdesk.cases import actions as a; from civicdesk.conversations import replies as r; "
                         "from civicdesk.cases.models import Case; "
                         f"c = Case.objects.get(public_id='{remote}'); "
                         "r.reply(c, author=None, text='Fixed by the Northfield crew.', public=True); "
                         "a.change_status(c, actor=None, status='closed')")
    assert client_b.request(remote)["status"] == "closed"
    assert client_b.request(remote)["status_notes"] == "Fixed by the Northfield crew."
    # Riverbend's periodic pull brings the answer into its own timeline and public notes.
    assert "Applied 1 update" in a.cli("open311", "pull")
    mine = GeoReportClient(a.url, jurisdiction_id=a.jurisdiction, fmt="json").requests(ids=[number],
                                                                                        extensions="true")
    assert "Fixed by the Northfield crew." in json.dumps(mine[0]["notes"])


def test_checker_passes_against_both_servers(cities):
    for instance in cities:
        key = instance.cli("open311", "key", "create", "checker").strip()
        done = subprocess.run([str(BIN / "civicdesk"), "open311-check", instance.url, "--jurisdiction",
                               instance.jurisdiction, "--api-key", key], env=instance.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "All rules passed." in done.stdout
    wrong = subprocess.run([str(BIN / "civicdesk"), "open311-check", cities[0].url, "--jurisdiction", "nowhere"],
                           env=cities[0].env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 1 and "FAIL" in wrong.stdout
