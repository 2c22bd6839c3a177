"""Sending replies by SMTP from plain values (the agency's mailbox, the thread ids), safe in every header."""

import re
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import CapturedNotSent, PermanentSendError


class TemporarySendError(Exception):
    """The mail server deferred the message (4xx); the delivery task retries with backoff."""


MAX_REFERENCES = 20  # RFC 5322 allows trimming the middle of a long chain; keep the first and the latest ones
MAX_SUBJECT = 400
MAX_DISPLAY_NAME = 200
MAX_FILENAME = 200
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


def from_header(message: OutboundMessage) -> str:
    """Our mailbox with its display name; the site's default address when the agency has no mailbox."""
    if not message.sender:
        return str(settings.DEFAULT_FROM_EMAIL)
    return formataddr((safe_header_text(message.sender_name, MAX_DISPLAY_NAME), message.sender))


def threading_headers(message: OutboundMessage) -> dict[str, str]:
    """In-Reply-To and References from the thread ids given, well-formed ones only and trimmed to MAX_REFERENCES."""
    chain = safe_message_ids(list(message.references))
    latest = message.in_reply_to if safe_message_ids([message.in_reply_to]) else (chain[-1] if chain else "")
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1):]]
    headers = {}
    if latest:
        headers["In-Reply-To"] = latest
    if chain:
        headers["References"] = " ".join(chain)
    return headers


def build_email(message: OutboundMessage) -> EmailMessage:
    """The outgoing mail: our Message-ID, the case thread, loop protection on automatic messages, and the files."""
    headers = {"Message-ID": message.message_id, **threading_headers(message)}
    if message.automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    mail = EmailMessage(subject=safe_header_text(message.subject), body=message.text,
                        from_email=from_header(message), to=[message.to], headers=headers)
    for attachment in message.attachments:  # the files staff attached to a reply, with the names they had
        mail.attach(safe_header_text(attachment.filename, MAX_FILENAME) or "attachment",
                    attachment.content, attachment.content_type or "application/octet-stream")
    return mail


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def send_email(message: OutboundMessage) -> str:
    """Send through Django's SMTP connection; PermanentSendError when the server refuses for good, CapturedNotSent
    when the connection is the built-in outbox (no EMAIL_HOST): the mail was kept, not sent.

    Plain values only: the sender, the thread ids and the text were read and rendered before (see
    conversations.outbound), so nothing here touches the database.
    """
    if not message.to or "@" not in message.to:
        raise PermanentSendError("The message has no email address to send to.")
    if not message.message_id:
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
    kept = getattr(connection, "captured_ids", None) if getattr(connection, "captures", False) else None
    if kept:
        raise CapturedNotSent(f"outbox:{kept[-1]}")
    return message.message_id
