"""The inbound SMTP listener (aiosmtpd): mail to a known agency mailbox is stored, then becomes a case."""

import asyncio
import contextlib
import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connection, connections

from civicdesk.mail import actions
from civicdesk.mail.queries import is_known_address

log = logging.getLogger(__name__)
LINE_LENGTH_LIMIT = 64 * 1024  # real mail breaks the 1000-byte rule; refusing it would lose reports
MAX_RECIPIENTS = 100


OVERSIZE_FACTOR = 2  # mail up to this many times the attachment limit is taken, quarantined and answered


def message_size_limit() -> int:
    """The largest message accepted: attachments up to OVERSIZE_FACTOR x MAX_ATTACHMENTS_BYTES after base64 (4/3)
    plus text. Mail over MAX_ATTACHMENTS_BYTES but under this is stored, quarantined and its sender told why (one
    reply an hour); only larger mail is refused with 552 at SMTP, which the sending server reports to its sender."""
    return math.ceil(settings.MAX_ATTACHMENTS_BYTES * OVERSIZE_FACTOR * 4 / 3 * 1.03) + 1024 * 1024


class ListenerSMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


def _with_db(function: Any, *args: Any) -> Any:
    """Run DB work in a listener thread, keeping its connection between messages while it stays usable.

    Django's close_old_connections() would also close a connection past CONN_MAX_AGE between two messages, and
    reconnecting costs more than the work itself; a connection that saw an error is checked and replaced.
    """
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and conn.errors_occurred and not conn.is_usable():
            conn.close()
    try:
        return function(*args)
    finally:
        for conn in connections.all(initialized_only=True):
            if conn.in_atomic_block:  # never leave a transaction open between messages
                conn.close()


class MailboxHandler:
    """aiosmtpd handler: RCPT only for active mailboxes; DATA stored raw before anything parses it."""

    def __init__(self, executor: ThreadPoolExecutor, process_inline: bool) -> None:
        self.executor = executor
        self.process_inline = process_inline

    async def _run(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, _with_db, function, *args)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            known = await self._run(is_known_address, address)
        except Exception:
            log.exception("Mailbox lookup failed during RCPT")
            return "451 4.3.0 Temporary failure, please try again later"
        if not known:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        meta = {"transport": "smtp", "mail_from": envelope.mail_from or "", "rcpt_tos": list(envelope.rcpt_tos),
                "peer": str(session.peer[0]) if isinstance(session.peer, tuple) else "",
                "helo": session.host_name or ""}
        try:
            payload_id = await self._run(actions.ingest_smtp, raw, meta, self.process_inline)
        except Exception:
            log.exception("Could not store an inbound email (%s bytes)", len(raw))
            return "451 4.3.0 Temporary failure, please try again later"
        return f"250 2.0.0 Accepted as {payload_id}"


class MailController(Controller):
    def factory(self) -> SMTP:
        return ListenerSMTP(self.handler, **self.SMTP_kwargs)


class Listener:
    """A running SMTP listener: the aiosmtpd thread plus the DB worker threads behind it."""

    def __init__(self, host: str, port: int, *, process_inline: bool = False, workers: int | None = None) -> None:
        self.workers = workers or (1 if connection.vendor == "sqlite" else 4)
        self.executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="smtp-db")
        self.handler = MailboxHandler(self.executor, process_inline)
        self.controller = MailController(
            self.handler, hostname=host, port=port, data_size_limit=message_size_limit(), enable_SMTPUTF8=True,
            server_hostname=getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", None), ready_timeout=10,
        )
        self.host, self.port = host, port

    def start(self) -> "Listener":
        self.controller.start()
        log.info("SMTP listener on %s:%s (limit %s bytes)", self.host, self.port, message_size_limit())
        return self

    def stop(self) -> None:
        self.controller.stop()
        barrier = threading.Barrier(self.workers, timeout=5)
        for _ in range(self.workers):  # one job per thread: each closes its own connections
            self.executor.submit(_close_connections, barrier)
        self.executor.shutdown(wait=True)


def _close_connections(barrier: threading.Barrier) -> None:
    connections.close_all()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()


def start_listener(host: str | None = None, port: int | None = None, *, process_inline: bool | None = None,
                   workers: int | None = None) -> Listener:
    """Start the listener in background threads; call .stop() on the result to shut it down."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs envelope addresses at INFO
    inline = settings.SMTP_PROCESS_INLINE if process_inline is None else process_inline
    return Listener(host or settings.SMTP_LISTEN_HOST, port or settings.SMTP_LISTEN_PORT,
                    process_inline=inline, workers=workers).start()
