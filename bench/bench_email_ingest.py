"""Email ingest throughput: N messages over real SMTP to the real listener until the last case is stored.

Usage: python bench/bench_email_ingest.py [--messages 500] [--clients 4] [--mode inline|queue]
                                          [--delivery both|paused|alongside]
A fresh SQLite database in a temporary directory (or, when DATABASE_URL points to PostgreSQL, a fresh database
`<name>_email_bench` on that server), migrated, with one agency and its mailbox. The listener runs in this process
as `civicdesk run` starts it; `civicdesk db_worker` subprocesses work the queues (acknowledgement mail goes to a
local SMTP sink, and in --mode queue a worker also processes the stored messages). The clock runs from the first
SMTP connection until the case of the last message is in the database. The clients run in a subprocess from
pre-rendered messages, so they do not compete with the listener for this process's GIL.

Each new case queues an acknowledgement, which a worker then sends. Two measurements, each on its own fresh
database (--delivery both, the default, runs both in subprocesses):
- paused: no worker sends during the ingest (in --mode queue only the inbound queue's worker runs); the rate is
  ingest alone, the figure the budget names. Then the workers start and the acknowledgements queued meanwhile are
  sent: their rate is the second line (no budget).
- alongside: the workers send acknowledgements while the mail comes in, competing for the CPU and the database's
  write lock, as in a live system; the rate is end to end (no budget). Before 2026-12-06 this was the only figure.
"""
import argparse
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BUDGET_PER_S = 50
ADDRESS = "publicworks@bench.example"
PROBLEMS = ["Pothole on {street}, about a foot wide.", "Streetlight out at {street} and 4th.",
            "Overflowing trash can on {street}.", "Graffiti on the wall at {street} underpass.",
            "Broken sidewalk slab outside {n} {street}.", "Fallen branch blocking {street}."]
STREETS = ["Elm Street", "Maple Ave", "Oak Ridge Rd", "Birch St", "Cedar Lane", "River Road"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(workdir: Path) -> str:
    """A new empty database: SQLite in workdir, or a recreated PostgreSQL database next to DATABASE_URL's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'email-bench.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "civicdesk") + "_email_bench"
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def drop_database(url: str) -> None:
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def resident_mail(n: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Resident {n % 200} <resident{n % 200}@example.com>"
    mail["To"] = ADDRESS
    street = STREETS[n % len(STREETS)]
    mail["Subject"] = f"Report {n}: {street}"
    mail["Message-ID"] = f"<bench-{n}-{time.time_ns()}@example.com>"
    mail["Date"] = "Mon, 16 Mar 2026 09:00:00 -0400"
    text = PROBLEMS[n % len(PROBLEMS)].format(street=street, n=100 + n)
    mail.set_content(f"Hello,\n\n{text}\n\nThank you,\nResident {n % 200}\n")
    mail.add_alternative(f"<div dir=\"ltr\">Hello,<br><br>{text}<br><br>Thank you,<br>Resident {n % 200}</div>",
                         subtype="html")
    return mail


def send_all(port: int, total: int, clients: int) -> list[str]:
    """Send the messages from `clients` parallel SMTP connections; returns the errors."""
    errors: list[str] = []
    counter = iter(range(total))
    lock = threading.Lock()
    rendered = [(f"resident{n % 200}@example.com", resident_mail(n).as_bytes()) for n in range(total)]
    print("ready", flush=True)
    sys.stdin.readline()  # the parent starts the clock, then says go

    def client() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                try:
                    smtp.sendmail(rendered[n][0], [ADDRESS], rendered[n][1])
                except smtplib.SMTPException as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def start_workers(args: argparse.Namespace, env: dict[str, str], queues: str,
                  tag: str) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-m", "civicdesk", "db_worker", "--queue-name", queues, "--no-reload",
                              "--interval", "0.05", "--worker-id", f"email-bench-{tag}-{n}"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(args.workers)]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def pending_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


def run(args: argparse.Namespace, workdir: Path) -> bool:
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            Sink.count += 1
            return "250 OK"

    paused = args.delivery == "paused"
    sink_port = free_port()
    database_url = fresh_database(workdir)
    env = {**os.environ, "DATABASE_URL": database_url, "CIVICDESK_VAR_DIR": str(workdir),
           "DJANGO_SETTINGS_MODULE": "civicdesk.settings", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink_port),
           "LOG_LEVEL": "WARNING", "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)

    import django

    django.setup()
    from django.db.models import Count

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Case
    from civicdesk.channels.models import InboundPayload
    from civicdesk.mail.models import Mailbox
    from civicdesk.mail.smtp_listener import start_listener

    agency = Agency.objects.create(slug="public-works", name="Public Works")
    Mailbox.objects.create(address=ADDRESS, agency=agency, display_name="Bench Public Works")
    sink = Controller(Sink(), hostname="127.0.0.1", port=sink_port)
    sink.start()
    port = free_port()
    listener = start_listener("127.0.0.1", port, process_inline=args.mode == "inline")
    workers = []
    if not paused:
        workers = start_workers(args, env, "*", "all")
    elif args.mode == "queue":
        workers = start_workers(args, env, "inbound", "inbound")  # processes the stored mail, sends nothing
    delivery_rate, delivered, unsent, acks_in_window = float("nan"), 0, 0, 0
    try:
        sender = subprocess.Popen([sys.executable, __file__, "--send-to", str(port), "--messages", str(args.messages),
                                   "--clients", str(args.clients)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, cwd=ROOT)
        assert sender.stdin is not None and sender.stdout is not None
        assert sender.stdout.readline().strip() == "ready"
        started, cpu_started = time.perf_counter(), time.process_time()
        sender.stdin.write("go\n")
        sender.stdin.flush()
        errors = [line.strip() for line in sender.stdout]
        sender.wait(timeout=args.timeout)
        sent_in = time.perf_counter() - started
        deadline = time.monotonic() + args.timeout
        while Case.objects.count() < args.messages - len(errors) and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        listener_cpu_ms = (time.process_time() - cpu_started) * 1000
        stored = Case.objects.count()
        acks_in_window = Sink.count
        statuses = dict(InboundPayload.objects.values_list("status").annotate(n=Count("pk")))
        if paused:  # now the acknowledgements queued during the ingest: start the workers, time until all are sent
            stop_workers(workers)
            workers = start_workers(args, env, "*", "all")
            deadline = time.monotonic() + args.timeout * 2
            while Sink.count == acks_in_window and time.monotonic() < deadline:  # the worker's start-up
                time.sleep(0.01)
            first_sent, first_count = time.perf_counter(), Sink.count
            while pending_tasks() and time.monotonic() < deadline:
                time.sleep(0.05)
            delivered, unsent = Sink.count - acks_in_window, pending_tasks()
            delivery_rate = (Sink.count - first_count) / (time.perf_counter() - first_sent)
    finally:
        listener.stop()
        stop_workers(workers)
        sink.stop()
        from django.db import connections

        connections.close_all()
        drop_database(database_url)
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    rate = stored / elapsed
    print(f"  {args.messages} messages from {args.clients} SMTP clients, processing {args.mode}, delivery "
          f"{args.delivery}: accepted in {sent_in:.1f} s, {stored} cases stored in {elapsed:.1f} s; payloads "
          f"{statuses}; listener CPU {listener_cpu_ms / max(stored, 1):.1f} ms per message; {acks_in_window} "
          f"acknowledgements sent meanwhile; {len(errors)} SMTP errors"
          f"{': ' + errors[0] if errors else ''}", flush=True)
    if not paused:
        print(f"email ingest with delivery alongside, end to end ({engine}): {rate:.1f} msg/s, {acks_in_window} "
              f"acknowledgements sent in the window (no budget)", flush=True)
        return stored == args.messages
    ok = rate >= BUDGET_PER_S and stored == args.messages
    print(f"email ingest, delivery paused ({engine}): {rate:.1f} msg/s (budget >= {BUDGET_PER_S} msg/s) "
          f"{'PASS' if ok else 'FAIL'}", flush=True)
    left = f", {unsent} tasks left at the timeout" if unsent else ""
    print(f"email acknowledgements queued during the ingest, then sent ({engine}): {delivered}, "
          f"{delivery_rate:.1f}/s from the first to the last{left} (no budget)", flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4, help="Parallel SMTP connections.")
    parser.add_argument("--mode", choices=["inline", "queue"], default="inline",
                        help="inline: the listener processes each message as it stores it (worker as fallback); "
                             "queue: the listener only stores, the db_worker processes.")
    parser.add_argument("--timeout", type=float, default=45, help="Give up waiting for cases after this long.")
    parser.add_argument("--workers", type=int, default=1,
                        help="db_worker processes (0: none; inline mode and --delivery alongside only).")
    parser.add_argument("--delivery", choices=["both", "paused", "alongside"], default="both",
                        help="paused: no acknowledgement is sent during the ingest (the budget's figure); alongside: "
                             "the workers send them meanwhile (end to end); both: each on a fresh database.")
    parser.add_argument("--send-to", type=int, default=0, help=argparse.SUPPRESS)  # the client subprocess
    args = parser.parse_args()
    if args.workers < 1 and (args.mode == "queue" or args.delivery != "alongside"):
        parser.error("--mode queue and --delivery paused need at least one worker")
    if args.send_to:
        for error in send_all(args.send_to, args.messages, args.clients):
            print(error, flush=True)
        return 0
    if args.delivery == "both":  # Django reads DATABASE_URL once: each measurement in a process of its own
        status = 0
        for delivery in ("paused", "alongside"):
            argv = [a for a in sys.argv[1:] if not a.startswith("--delivery")]
            status |= subprocess.run([sys.executable, __file__, *argv, "--delivery", delivery], cwd=ROOT).returncode
        return status
    sys.path.insert(0, str(ROOT / "src"))
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-email-bench-"))
    try:
        return 0 if run(args, workdir) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
