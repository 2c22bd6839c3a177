"""What the benches share to run the real site: a port, a fresh database, `civicdesk run` until it serves, Django.

Not a bench itself (run_all.py runs only bench_*.py). A bench script imports it by name (`import benchserver`:
the script's own directory is first on sys.path).
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CIVICDESK = [sys.executable, "-m", "civicdesk"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def machine_idle() -> float:
    """Seconds of idle CPU, summed over the cores, since boot (/proc/stat): the difference over a window says how
    much of the machine nothing used."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return (int(fields[3]) + int(fields[4])) / os.sysconf("SC_CLK_TCK")  # idle + iowait


def site_env(workdir: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of the site's processes: its own var directory and database (SQLite in `workdir` when no
    URL is given), this checkout's code first on the path."""
    env = {**os.environ, "CIVICDESK_VAR_DIR": str(workdir), "PYTHONPATH": str(ROOT / "src"), **extra}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def fresh_postgres(name: str) -> str:
    """A new, empty database `name` on the server `scripts/pg-test-server start` runs (dropped first if there)."""
    import psycopg

    server = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def prepare(env: dict[str, str], *, seed: bool = True, cases: int | None = None, collectstatic: bool = False) -> None:
    """Migrate the site's database and, with `seed`, load the demo city (`cases` of them, or the demo's own)."""
    commands = [["migrate", "-v", "0"]]
    if collectstatic:
        commands.append(["collectstatic", "--noinput", "-v", "0"])
    if seed:
        commands.append(["seed-demo", "--yes-demo-passwords", *(["--cases", str(cases)] if cases is not None else [])])
    for command in commands:
        subprocess.run([*CIVICDESK, *command], env=env, cwd=ROOT, check=True, capture_output=True)


def setup_django(env: dict[str, str]) -> None:
    """Load Django in this process, on the site's database, as an ASGI server process would."""
    os.environ.pop("DATABASE_URL", None)
    os.environ.update({key: env[key] for key in ("CIVICDESK_VAR_DIR", "DATABASE_URL") if key in env})
    os.environ.update({"CIVICDESK_SERVER": "asgi", "DJANGO_SETTINGS_MODULE": "civicdesk.settings"})
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def wait_until_serving(port: int, server: subprocess.Popen[bytes], timeout: float = 300) -> None:
    """Until the site answers a request (a loaded machine starts the processes slowly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("civicdesk run exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall(b"GET /staff/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if sock.recv(100):
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"civicdesk run did not start serving within {timeout:.0f} s")


@contextlib.contextmanager
def running_site(env: dict[str, str], port: int, *options: str,
                 log: IO[bytes] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """`civicdesk run` on 127.0.0.1:port with `options` (e.g. --no-smtp), serving for the block; stopped after."""
    server = subprocess.Popen([*CIVICDESK, "run", "--host", "127.0.0.1", "--port", str(port), *options], env=env,
                              cwd=ROOT, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else
                              subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_serving(port, server)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fake_json_api(status: int, answer: Callable[[bytes], dict[str, object]],
                  headers: dict[str, str] | None = None) -> ThreadingHTTPServer:
    """A provider's send API as far as acknowledgements need it, on a free local port in a thread: every POST gets
    `status` and the JSON `answer(request body)`, with `headers`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the providers' APIs answer
        disable_nagle_algorithm = True  # headers and body go out at once (else a 40 ms delayed-ACK stall)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.dumps(answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fake_twilio_api() -> ThreadingHTTPServer:
    """Twilio's Messages API as far as the acknowledgement texts need it: 201 and a new message sid."""
    return fake_json_api(201, lambda _body: {"sid": "SM" + uuid.uuid4().hex, "status": "queued"})
