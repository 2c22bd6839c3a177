"""Prism serving Twilio's OpenAPI document: a local mock of Twilio's REST API that validates our requests.

`prism` (a pytest fixture, session-wide) starts `node_modules/.bin/prism mock -p PORT -h 127.0.0.1 <spec>` on a
free port and yields its base URL (for TWILIO_API_BASE_URL); the spec is TWILIO_OPENAPI_SPEC, by default
../shared/data/twilio-oai/twilio_api_v2010.json beside the repository. When Prism or the spec is missing, the
tests using it are skipped, saying which. Import it into a test module: `from ...prism import prism  # noqa: F401`.
"""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[5]  # src/civicdesk/channels/providers/twilio -> the repository
SPEC_ENV = "TWILIO_OPENAPI_SPEC"
DEFAULT_SPEC = REPO.parent / "shared" / "data" / "twilio-oai" / "twilio_api_v2010.json"
PRISM = REPO / "node_modules" / ".bin" / "prism"
START_SECONDS = 60  # the spec is 1.9 MB: Prism takes a few seconds to read it on a busy machine


def spec_path() -> Path:
    return Path(os.environ.get(SPEC_ENV, "") or DEFAULT_SPEC)


def missing() -> str:
    """Why Prism cannot run here ("" when it can)."""
    if not PRISM.exists():
        return f"Prism is not installed ({PRISM} is missing; run `npm ci` or `make test`)"
    if not spec_path().exists():
        return f"Twilio's OpenAPI spec is missing ({spec_path()}; set {SPEC_ENV} to twilio_api_v2010.json)"
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/2010-04-01/Accounts.json", timeout=1)  # noqa: S310 - local mock
    except urllib.error.HTTPError:
        return True  # Prism answers (401 without credentials): it is up
    except OSError:
        return False
    return True


@contextmanager
def running_prism() -> Iterator[str]:
    """Prism on a free port for the duration; its base URL. Raises RuntimeError when it cannot start."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([str(PRISM), "mock", "-p", str(port), "-h", "127.0.0.1", str(spec_path())],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _ready(url):
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace")[-500:] if process.stderr else ""
                raise RuntimeError(f"Prism exited with {process.returncode}: {error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prism did not answer on {url} within {START_SECONDS} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def prism() -> Iterator[str]:
    """The base URL of a Prism serving Twilio's API for the test session; skips when Prism or the spec is missing."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    with running_prism() as url:
        yield url
