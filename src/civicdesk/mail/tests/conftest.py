"""Fixtures for the email tests: real SMTP sinks, the real listener, a real dovecot, agency mailboxes."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from civicdesk.mail.models import Mailbox
from civicdesk.mail.smtp_listener import Listener, start_listener
from civicdesk.mail.tests.dovecot import ImapServer, dovecot_available, running_dovecot
from civicdesk.testing.factories import create_agency

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SinkHandler:
    """Collects what a real SMTP client delivers; `refuse_rcpt` answers RCPT TO with that reply instead."""

    refuse_rcpt: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                              "raw": envelope.original_content})
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(item["raw"]) for item in self.received]


@dataclass
class Sink:
    handler: SinkHandler
    port: int


@pytest.fixture(autouse=True)
def outbound_sink(settings: Any) -> Iterator[Sink]:
    """Every test sends its outbound mail (acknowledgements, replies) to a local sink, never to port 1025."""
    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django swaps in locmem
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield Sink(handler, port)
    finally:
        controller.stop()


@pytest.fixture
def mailbox(db: Any) -> Mailbox:
    agency = create_agency("public-works", "Public Works")
    return Mailbox.objects.create(address="publicworks@riverbend.example", agency=agency,
                                  display_name="Riverbend Public Works")


@pytest.fixture
def listener(transactional_db: Any, settings: Any) -> Iterator[Listener]:
    running = start_listener("127.0.0.1", free_port())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    if not dovecot_available():
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd) so the IMAP tests cannot run")
    with running_dovecot() as server:
        yield server
