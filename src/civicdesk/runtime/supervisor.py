"""Starting and watching the processes of `civicdesk run`, restarting any that die."""

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)
    niceness: int = 0  # added to the child's niceness: a background worker yields the cores to everything else

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, preexec_fn=self._lower_priority if self.niceness else None)
        self.started_at = time.monotonic()
        log.info("Started %s (pid %s)", self.name, self.process.pid)

    def _lower_priority(self) -> None:
        os.nice(self.niceness)

    def check(self) -> None:
        """Restart the child if it exited; back off if it keeps dying at start-up."""
        if self.process is None or self.process.poll() is None:
            return
        code = self.process.returncode
        quick = time.monotonic() - self.started_at < 5
        self.restarts += 1
        log.warning("%s exited with %s; restarting (restart %s)", self.name, code, self.restarts)
        if quick:
            time.sleep(min(30, 2 ** min(self.restarts, 5)))
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()


def python_module(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def web_server(host: str, port: int, workers: int) -> Child:
    """gunicorn managing uvicorn workers on the ASGI app: sync views run in threads, event streams in the loop."""
    argv = python_module(
        "gunicorn", "civicdesk.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning",
    )
    return Child("web", argv)


def task_worker(queue: str, index: int = 0, niceness: int = 0) -> Child:
    """A worker for one queue: a slow provider, or an Open311 token poll, stalls only its own queue."""
    argv = python_module("civicdesk", "db_worker", "--queue-name", queue, "--no-reload", "--interval", "0.2",
                         "--worker-id", f"worker-{queue}-{index}-{int(time.time())}")
    return Child(f"worker-{queue}-{index}", argv, niceness=niceness)


def task_workers(queues: list[str], per_queue: int, background: dict[str, int] | None = None) -> list[Child]:
    """`per_queue` workers for each queue (at least one); a queue in `background` runs at that added niceness."""
    return [task_worker(queue, index, (background or {}).get(queue, 0))
            for queue in queues for index in range(max(1, per_queue))]


def inbound_batch_workers(count: int) -> list[Child]:
    """The workers that apply received inbound payloads in batches (conversations/batch.py), at least one."""
    return [Child(f"inbound-batch-{index}", python_module("civicdesk", "inbound_worker"))
            for index in range(max(1, count))]


def stream_listener() -> Child:
    """`civicdesk channels listen`: the streams of streaming accounts (Mastodon), one thread each."""
    return Child("listen", python_module("civicdesk", "channels", "listen"))


def listening_listener() -> Child:
    """`civicdesk listening listen`: the live listening streams (Jetstream, RSS/Atom, our own channels)."""
    return Child("listening", python_module("civicdesk", "listening", "listen"))
