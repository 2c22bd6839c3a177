"""Sending replies by SMTP from the agency's mailbox, threaded so mail clients show one conversation."""

import re
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from civicdesk.cases.models import Message
from civicdesk.channels.protocol import PermanentSendError
from civicdesk.mail.queries import mailbox_for_agency, thread_ids


class TemporarySendError(Exception):
    """The mail server deferred the message (4xx); the delivery task retries with backoff."""


MAX_REFERENCES = 20  # RFC 5322 allows trimming the middle of a long chain; keep the first and the latest ones
MAX_SUBJECT = 400
MAX_DISPLAY_NAME = 200
# C0 and C1 controls (CR, LF, VT, FF, NUL, the file/group/record separators, NEL...), DEL, the Unicode line and
# paragraph separators, and lone surrogates (undecodable bytes): anything str.splitlines() or a mail server could
# take for the end of a header line.
UNSAFE_IN_HEADER = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
SAFE_MESSAGE_ID = re.compile(r"<[!-;=?-~]+>")  # printable ASCII without < and > inside, as RFC 5322 msg-id


def safe_header_text(value: str, limit: int = MAX_SUBJECT) -> str:
    """Text from data made fit for one header: controls become spaces, whitespace collapses, then trimmed.

    Every header built from data (a resident's subject, a mailbox or agency name) goes through here, so no
    character in it can end the header line and start another one, or make the mail unsendable.
    """
    text = " ".join(UNSAFE_IN_HEADER.sub(" ", value or "").split())
    return text[:limit].rstrip()


def safe_message_ids(ids: list[str]) -> list[str]:
    """The Message-IDs that are well-formed; a stored id with control or non-ASCII characters is left out."""
    return [mid for mid in ids if SAFE_MESSAGE_ID.fullmatch(mid or "")]


def from_address(message: Message) -> str:
    mailbox = mailbox_for_agency(message.case.agency_id)
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    name = (safe_header_text(mailbox.display_name, MAX_DISPLAY_NAME)
            or safe_header_text(message.case.agency.name, MAX_DISPLAY_NAME))
    return formataddr((name, mailbox.address))


def threading_headers(message: Message) -> dict[str, str]:
    if message.update_of_id:  # a public update to a follower: never the reporter's Message-IDs
        return {}
    latest, chain = thread_ids(message.case, exclude_message=message.pk)
    chain = safe_message_ids(chain)
    if not safe_message_ids([latest]):
        latest = chain[-1] if chain else ""
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1):]]
    headers = {}
    if latest:
        headers["In-Reply-To"] = latest
    if chain:
        headers["References"] = " ".join(chain)
    return headers


def build_email(message: Message) -> EmailMessage:
    """The outgoing mail: our Message-ID, the case thread, and loop protection on automatic messages."""
    headers = {"Message-ID": message.email_message_id, **threading_headers(message)}
    if message.is_automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    return EmailMessage(subject=safe_header_text(message.subject), body=message.body_text,
                        from_email=from_address(message), to=[message.recipient], headers=headers)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def send_email(message: Message) -> str:
    """Send through Django's SMTP connection; PermanentSendError when the server refuses for good."""
    if not message.recipient or "@" not in message.recipient:
        raise PermanentSendError("The message has no email address to send to.")
    if not message.email_message_id:
        raise PermanentSendError("The message has no Message-ID; it was not created for email.")
    mail = build_email(message)
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
        if codes and all(_permanent(code) for code in codes):
            raise PermanentSendError(f"The mail server refused the recipient: {detail}") from exc
        raise TemporarySendError(f"The mail server deferred the recipient: {detail}") from exc
    except smtplib.SMTPDataError as exc:
        if _permanent(exc.smtp_code):
            raise PermanentSendError(f"The mail server rejected the message: {exc.smtp_code} "
                                     f"{_text(exc.smtp_error)}") from exc
        raise TemporarySendError(f"The mail server deferred the message: {exc.smtp_code} "
                                 f"{_text(exc.smtp_error)}") from exc
    return message.email_message_id
