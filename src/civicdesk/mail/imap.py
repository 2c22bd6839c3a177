"""Fetching new mail from an IMAP folder by UID, remembering UIDVALIDITY so each message is fetched once."""

import imaplib
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from civicdesk.mail.models import Mailbox

UIDVALIDITY_RE = re.compile(rb"UIDVALIDITY (\d+)")
FETCH_UID_RE = re.compile(rb"UID (\d+)")
IMAP_TIMEOUT_SECONDS = 30


class ImapError(Exception):
    """The IMAP server refused or failed a command; the text names the command, never the account."""


@dataclass
class FetchedMessage:
    uid: int
    raw: bytes


def _check(result: tuple[str, list], command: str) -> list:
    status, data = result
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")[:200]
        raise ImapError(f"IMAP {command} failed: {status} {detail}")
    return data


@contextmanager
def imap_session(mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
    """A logged-in connection with the mailbox's folder selected read-only (we never change the folder)."""
    cls = imaplib.IMAP4_SSL if mailbox.imap_ssl else imaplib.IMAP4
    client = cls(mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT_SECONDS)
    try:
        try:
            _check(client.login(mailbox.imap_username, mailbox.imap_password), "LOGIN")
        except imaplib.IMAP4.error as exc:
            raise ImapError("IMAP LOGIN failed: the server refused the username or password") from exc
        _check(client.select(_quoted(mailbox.imap_folder), readonly=True), "SELECT")
        yield client
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            client.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uidvalidity(client: imaplib.IMAP4, folder: str) -> int:
    data = client.untagged_responses.get("UIDVALIDITY")
    if data and isinstance(data[-1], bytes) and data[-1].isdigit():
        return int(data[-1])
    found = UIDVALIDITY_RE.search(b" ".join(_check(client.status(_quoted(folder), "(UIDVALIDITY)"), "STATUS")))
    if not found:
        raise ImapError("The IMAP server did not report a UIDVALIDITY for the folder.")
    return int(found.group(1))


def new_uids(client: imaplib.IMAP4, after_uid: int, limit: int) -> list[int]:
    """UIDs above after_uid, oldest first. "N:*" also matches the last message when none is newer: filtered."""
    data = _check(client.uid("SEARCH", f"UID {after_uid + 1}:*"), "UID SEARCH")
    uids = sorted(int(u) for u in b" ".join(data).split() if u.isdigit())
    return [u for u in uids if u > after_uid][:limit]


def fetch(client: imaplib.IMAP4, uid: int) -> FetchedMessage | None:
    """The full raw message (BODY.PEEK leaves the \\Seen flag alone); None if it was expunged meanwhile."""
    data = _check(client.uid("FETCH", str(uid), "(UID BODY.PEEK[])"), "UID FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            found = FETCH_UID_RE.search(item[0])
            if found is None or int(found.group(1)) == uid:
                return FetchedMessage(uid, item[1])
    return None
