"""Email ingest throughput: N messages over real SMTP to the real listener until the last case is stored.

Usage: python bench/bench_email_ingest.py [--messages 500] [--clients 4] [--mode inline|queue]
A fresh SQLite database in a temporary directory (or, when DATABASE_URL points to PostgreSQL, a fresh database
`<name>_email_bench` on that server), migrated, with one agency and its mailbox. The listener runs in this process
as `civicdesk run` starts it; one `civicdesk db_worker` subprocess works every queue (acknowledgement mail goes to
a local SMTP sink, and in --mode queue it also processes the stored messages). The clock runs from the first
SMTP connection until the case of the last message is in the database. The clients run in a subprocess from
pre-rendered messages, so they do not compete with the listener for this process's GIL.
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


def run(args: argparse.Namespace, workdir: Path) -> bool:
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            Sink.count += 1
            return "250 OK"

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
    workers = [subprocess.Popen([sys.executable, "-m", "civicdesk", "db_worker", "--queue-name", "*", "--no-reload",
                                 "--interval", "0.05", "--worker-id", f"email-bench-{n}"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(args.workers)]
    try:
        sender = subprocess.Popen([sys.executable, __file__, "--send-to", str(port), "--messages", str(args.messages),
                                   "--clients", str(args.clients)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, cwd=ROOT)
        assert sender.stdin is not None and sender.stdout is not None
        assert sender.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        sender.stdin.write("go\n")
        sender.stdin.flush()
        errors = [line.strip() for line in sender.stdout]
        sender.wait(timeout=args.timeout)
        sent_in = time.perf_counter() - started
        deadline = time.monotonic() + args.timeout
        while Case.objects.count() < args.messages - len(errors) and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        stored = Case.objects.count()
        statuses = dict(InboundPayload.objects.values_list("status").annotate(n=Count("pk")))
    finally:
        listener.stop()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        sink.stop()
        from django.db import connections

        connections.close_all()
        drop_database(database_url)
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    rate = stored / elapsed
    ok = rate >= BUDGET_PER_S and stored == args.messages
    print(f"  {args.messages} messages from {args.clients} SMTP clients, processing {args.mode}: accepted in "
          f"{sent_in:.1f} s, {stored} cases stored in {elapsed:.1f} s; payloads {statuses}; "
          f"{Sink.count} acknowledgements sent; {len(errors)} SMTP errors{': ' + errors[0] if errors else ''}",
          flush=True)
    print(f"email ingest ({engine}): {rate:.1f} msg/s (budget >= {BUDGET_PER_S} msg/s) {'PASS' if ok else 'FAIL'}",
          flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4, help="Parallel SMTP connections.")
    parser.add_argument("--mode", choices=["inline", "queue"], default="inline",
                        help="inline: the listener processes each message as it stores it (worker as fallback); "
                             "queue: the listener only stores, the db_worker processes.")
    parser.add_argument("--timeout", type=float, default=45, help="Give up waiting for cases after this long.")
    parser.add_argument("--workers", type=int, default=1, help="db_worker processes (0: none; inline mode only).")
    parser.add_argument("--send-to", type=int, default=0, help=argparse.SUPPRESS)  # the client subprocess
    args = parser.parse_args()
    if args.mode == "queue" and args.workers < 1:
        parser.error("--mode queue needs at least one worker")
    if args.send_to:
        for error in send_all(args.send_to, args.messages, args.clients):
            print(error, flush=True)
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-email-bench-"))
    try:
        return 0 if run(args, workdir) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
