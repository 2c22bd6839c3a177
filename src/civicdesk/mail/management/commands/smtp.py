"""`civicdesk smtp`: run the inbound SMTP listener in the foreground until interrupted."""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from civicdesk.mail.smtp_listener import message_size_limit, start_listener


class Command(BaseCommand):
    help = "Receive mail for the agency mailboxes by SMTP (default SMTP_HOST:SMTP_PORT, 127.0.0.1:2525)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.SMTP_LISTEN_HOST)
        parser.add_argument("--port", type=int, default=settings.SMTP_LISTEN_PORT)
        parser.add_argument("--inline", action="store_true",
                            help="Process each message in the listener instead of queueing it for a worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
        signal.signal(signal.SIGINT, lambda signum, frame: stopping.set())
        listener = start_listener(options["host"], options["port"], process_inline=options["inline"] or None)
        self.stdout.write(self.style.SUCCESS(
            f"Receiving mail on {options['host']}:{options['port']} (messages up to {message_size_limit():,} "
            "bytes); Ctrl-C stops."))
        try:
            stopping.wait()
        finally:
            listener.stop()
            self.stdout.write("SMTP listener stopped.")
