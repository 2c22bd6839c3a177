"""`civicdesk inbound_worker`: apply received inbound payloads in batches until stopped (`civicdesk run` starts it)."""

import logging
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections

from civicdesk.conversations import batch

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Apply the inbound payloads the webhooks stored, oldest first, in batches (the payload table is the "
            "queue; several workers may run side by side).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=0, help="Payloads per batch (INBOUND_BATCH_SIZE).")
        parser.add_argument("--group", type=int, default=0,
                            help="Payloads per write transaction (INBOUND_BATCH_GROUP; by engine when 0).")
        parser.add_argument("--interval", type=float, default=0.1, help="Seconds between polls of an empty queue.")
        parser.add_argument("--once", action="store_true", help="Drain what is received now, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        size = options["batch"] or settings.INBOUND_BATCH_SIZE
        while not stopping:
            try:
                count = batch.drain(size, options["group"] or None)
            except DatabaseError as exc:  # the database restarting, a lock held too long: later, on a new connection
                log.warning("Inbound batch failed, retrying: %s: %s", type(exc).__name__, exc)
                connections.close_all()
                time.sleep(1)
                continue
            if options["once"] and count == 0:
                return
            if count == 0:
                close_old_connections()
                time.sleep(options["interval"])
