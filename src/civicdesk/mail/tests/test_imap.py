"""IMAP polling against a real dovecot: each message is fetched once, UIDVALIDITY changes refetch safely."""

import imaplib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from civicdesk.cases.models import Case
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.mail import actions, tasks
from civicdesk.mail.models import Mailbox
from civicdesk.mail.tests.conftest import fixture_bytes
from civicdesk.mail.tests.dovecot import ImapServer
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
_folders = itertools.count(1)


@pytest.fixture
def imap(imap_server: ImapServer) -> Iterator[imaplib.IMAP4]:
    client = imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10)
    client.login(imap_server.user, imap_server.password)
    try:
        yield client
    finally:
        client.logout()


@pytest.fixture
def imap_mailbox(imap_server: ImapServer, imap: imaplib.IMAP4) -> Mailbox:
    """A mailbox reading its own fresh folder, so tests sharing the server do not see each other's mail."""
    folder = f"Test{next(_folders)}"
    assert imap.create(folder)[0] == "OK"
    agency = create_agency("parks", "Parks")
    return Mailbox.objects.create(
        address="parks@riverbend.example", agency=agency, imap_host=imap_server.host, imap_port=imap_server.port,
        imap_ssl=False, imap_username=imap_server.user, imap_password=imap_server.password, imap_folder=folder)


def append(imap: imaplib.IMAP4, folder: str, raw: bytes) -> None:
    status, _ = imap.append(folder, None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert status == "OK"


def resident_mail(n: int, *, message_id: bool = True) -> bytes:
    header = f"Message-ID: <imap-{n}@example.com>\n" if message_id else ""
    return (f"From: Resident {n} <resident{n}@example.com>\nTo: parks@riverbend.example\n{header}"
            f"Subject: Broken swing number {n}\nDate: Mon, 16 Mar 2026 09:00:0{n % 10} -0400\n\n"
            f"The swing in Riverside Park is broken ({n}).\n").encode()


def poll(mailbox: Mailbox, capture: Any) -> dict[str, Any]:
    with capture(execute=True):
        return tasks.poll_mailbox.call(mailbox.pk)


def test_poll_fetches_each_message_once(imap: imaplib.IMAP4, imap_mailbox: Mailbox,
                                        django_capture_on_commit_callbacks: Any) -> None:
    folder = imap_mailbox.imap_folder
    append(imap, folder, resident_mail(1))
    append(imap, folder, resident_mail(2, message_id=False))
    append(imap, folder, fixture_bytes("charset_koi8_r.eml"))
    assert poll(imap_mailbox, django_capture_on_commit_callbacks) == {"fetched": 3, "stored": 3, "error": ""}
    assert Case.objects.count() == 3
    assert set(Case.objects.values_list("agency__slug", flat=True)) == {"parks"}
    assert poll(imap_mailbox, django_capture_on_commit_callbacks) == {"fetched": 0, "stored": 0, "error": ""}
    append(imap, folder, resident_mail(4))
    assert poll(imap_mailbox, django_capture_on_commit_callbacks)["stored"] == 1
    assert Case.objects.count() == 4 and InboundPayload.objects.count() == 4
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.imap_last_uid == 4 and imap_mailbox.imap_uidvalidity > 0
    assert imap_mailbox.last_polled_at is not None and imap_mailbox.last_error == ""
    assert {p.meta["transport"] for p in InboundPayload.objects.all()} == {"imap"}


def test_a_new_uidvalidity_refetches_without_duplicates(imap: imaplib.IMAP4, imap_mailbox: Mailbox,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    append(imap, imap_mailbox.imap_folder, resident_mail(1))
    append(imap, imap_mailbox.imap_folder, resident_mail(2, message_id=False))
    poll(imap_mailbox, django_capture_on_commit_callbacks)
    actions.set_cursor(imap_mailbox, {"imap_uidvalidity": 1})  # as if the folder had been rebuilt
    imap_mailbox.refresh_from_db()
    assert poll(imap_mailbox, django_capture_on_commit_callbacks) == {"fetched": 2, "stored": 0, "error": ""}
    assert Case.objects.count() == 2 and InboundPayload.objects.count() == 2


def test_automatic_and_malformed_mail_from_imap(imap: imaplib.IMAP4, imap_mailbox: Mailbox,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    append(imap, imap_mailbox.imap_folder, fixture_bytes("autoreply_out_of_office.eml"))
    append(imap, imap_mailbox.imap_folder, fixture_bytes("malformed_no_from.eml"))
    poll(imap_mailbox, django_capture_on_commit_callbacks)
    statuses = list(InboundPayload.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [PayloadStatus.IGNORED, PayloadStatus.QUARANTINED]
    assert Case.objects.count() == 0


def test_poll_all_mailboxes_polls_active_imap_mailboxes(imap: imaplib.IMAP4, imap_mailbox: Mailbox,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    Mailbox.objects.create(address="smtp-only@riverbend.example", agency=imap_mailbox.agency)
    append(imap, imap_mailbox.imap_folder, resident_mail(7))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.poll_all_mailboxes.call() == 1
    assert Case.objects.get().subject == "Broken swing number 7"


def test_admin_poll_now_action(imap: imaplib.IMAP4, imap_mailbox: Mailbox, admin_client: Any,
                               django_capture_on_commit_callbacks: Any) -> None:
    append(imap, imap_mailbox.imap_folder, resident_mail(8))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/mail/mailbox/", {"action": "poll_now",
                                                              "_selected_action": [imap_mailbox.pk]}, follow=True)
    assert "Polled 1 mailbox(es); 1 new message(s) stored and queued." in response.content.decode()
    assert Case.objects.get().subject == "Broken swing number 8"
    page = admin_client.get(f"/admin/mail/mailbox/{imap_mailbox.pk}/change/").content.decode()
    assert imap_mailbox.imap_password not in page


def test_a_wrong_password_is_recorded_on_the_mailbox(imap_mailbox: Mailbox,  # last: dovecot slows later logins
                                                     django_capture_on_commit_callbacks: Any) -> None:
    imap_mailbox.account.set_credentials({"password": "wrong"})
    imap_mailbox.account.save()
    imap_mailbox.refresh_from_db()
    result = poll(imap_mailbox, django_capture_on_commit_callbacks)
    assert "LOGIN failed" in result["error"]
    imap_mailbox.refresh_from_db()
    assert "LOGIN failed" in imap_mailbox.last_error and "wrong" not in imap_mailbox.last_error
