"""`civicdesk run`: serve the web app with a task worker per queue, the inbound SMTP listener and the scheduler."""

import logging
import os
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicdesk.channels import spool
from civicdesk.runtime.scheduler import build_scheduler
from civicdesk.runtime.site_url import site_url_from
from civicdesk.runtime.supervisor import (
    Child,
    inbound_batch_workers,
    listening_listener,
    stream_listener,
    task_workers,
    web_server,
)

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Serve CivicDesk on PORT with a task worker per queue (TASK_QUEUES), the SMTP listener on SMTP_PORT "
            "and the periodic scheduler.")

    def refuse_unmigrated_database(self) -> None:
        """Workers and pages would fail on every request ("no such table"): say what to run instead."""
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(f"The database has {len(pending)} migrations to apply: run `civicdesk migrate` first "
                               "(`make run` does it, and loads the demo city into an empty database).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--no-smtp", action="store_true", help="Do not start the inbound SMTP listener.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start task workers.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.refuse_unmigrated_database()
        self.serve_on(options["host"], options["port"])
        children: list[Child] = [web_server(options["host"], options["port"], settings.WEB_WORKERS)]
        if not options["no_worker"]:
            children += task_workers(settings.TASK_QUEUES, settings.TASK_WORKERS,
                                     dict.fromkeys(settings.BACKGROUND_TASK_QUEUES, settings.BACKGROUND_NICENESS))
            if settings.INBOUND_BATCH_WORKER:
                os.environ[spool.WORKER_HERE] = "1"  # so webhooks here may spool: a worker here empties the spool
                children += inbound_batch_workers(settings.INBOUND_BATCH_WORKERS or (
                    2 if connection.vendor == "postgresql" else 1))  # SQLite has one writer at a time
            children += [stream_listener(), listening_listener()]
        for child in children:
            child.start()
        listener = None if options["no_smtp"] else self.start_smtp()
        scheduler = build_scheduler()
        scheduler.start()
        self.stdout.write(self.style.SUCCESS(
            f"CivicDesk is serving http://{options['host']}:{options['port']}/"
            + ("" if listener is None else f" and receiving mail on {settings.SMTP_LISTEN_HOST}:"
               f"{settings.SMTP_LISTEN_PORT}") + " (Ctrl-C stops it)"))
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping:
                for child in children:
                    child.check()
                time.sleep(0.5)
        finally:
            scheduler.shutdown(wait=False)
            if listener is not None:
                listener.stop()
            for child in children:
                child.stop()
            for child in children:
                child.wait(timeout=10)
            self.stdout.write("CivicDesk stopped.")

    @staticmethod
    def serve_on(host: str, port: int) -> None:
        """Tell every process what is served (HOST, PORT), so an unset SITE_URL, and links in mail, follow it."""
        os.environ["HOST"], os.environ["PORT"] = host, str(port)  # the web server and workers read settings anew
        settings.SITE_URL = site_url_from(os.environ)  # this process: the SMTP listener may render replies inline

    def start_smtp(self) -> Any:
        from civicdesk.mail.smtp_listener import start_listener

        return start_listener(settings.SMTP_LISTEN_HOST, settings.SMTP_LISTEN_PORT)
