"""Parsing raw RFC 5322 mail into a NormalizedMessage: headers, bodies, attachments, threading, auto-replies."""

import hashlib
import re
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from functools import lru_cache
from typing import Any

from civicdesk.channels.protocol import ParseError
from civicdesk.mail.attachments import Parts

MESSAGE_ID_RE = re.compile(r"<[^<>\s\x00-\x1f\x7f-\x9f]+>")  # an id with a control character is no id at all
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
HEADER_LINE_RE = re.compile(rb"^[!-9;-~]+:")  # an RFC 5322 field name followed by a colon
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
FOLDING_RE = re.compile(r"\r?\n[ \t]+")


class MemoizingHeaderRegistry(HeaderRegistry):
    """policy.default re-parses a header on every access (the parser itself reads Content-Type some twenty times
    per message); header objects are immutable, so each distinct (name, value) is parsed once."""

    @lru_cache(maxsize=4096)  # noqa: B019 - one module-level instance lives as long as the process anyway
    def __call__(self, name: str, value: str) -> BaseHeader:
        return super().__call__(name, value)


POLICY = policy.default.clone(header_factory=MemoizingHeaderRegistry())


def header_section(raw: bytes) -> bytes:
    """The bytes up to the first empty line: all that is needed to read the headers."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end != -1:
            return raw[:end + len(separator)]
    return raw


def header_text(message: Message, name: str) -> str:
    """A header's decoded text ("" when absent or undecodable); encoded-words are decoded by policy.default."""
    try:
        value = message.get(name)
    except (HeaderParseError, ValueError, IndexError):
        raw_values = message.get_all(name, []) if hasattr(message, "get_all") else []
        value = raw_values[0] if raw_values else None
    return "" if value is None else str(value).strip()


def one_line(text: str) -> str:
    """A header's text (a subject, a name) on one line: controls and line separators become spaces.

    PostgreSQL cannot store NUL, and a vertical tab or form feed would end a header line in a reply.
    """
    return CONTROL_RE.sub(" ", text).strip()


def without_nul(text: str) -> str:
    """Body text PostgreSQL can store: NUL becomes the replacement character."""
    return text.replace("\x00", "\ufffd")


def raw_header(message: Message, name: str) -> str:
    """A header's first value as sent, unfolded and undecoded: cheap, for ASCII fields like Message-ID."""
    values = raw_header_all(message, name)
    return values[0] if values else ""


def raw_header_all(message: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [FOLDING_RE.sub(" ", str(value)).strip() for key, value in message.raw_items() if key.lower() == wanted]


def message_ids(value: str) -> list[str]:
    """The <id> tokens of a Message-ID, In-Reply-To or References header, in order, without repeats."""
    seen: list[str] = []
    for token in MESSAGE_ID_RE.findall(value or ""):
        if token not in seen:
            seen.append(token)
    return seen


def provider_message_id(raw: bytes) -> str:
    """The Message-ID read from the header section only; a hash of the bytes when there is none."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(header_section(raw))
    ids = message_ids(str(headers.get("Message-ID", "") or ""))
    return ids[0][:300] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_bytes(raw: bytes) -> EmailMessage:
    """Parse with policy.default, refusing what is not a mail message at all."""
    if not raw or not raw.strip():
        raise ParseError("Empty message: no headers and no body.")
    first_line = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not HEADER_LINE_RE.match(first_line):
        raise ParseError("Not an email message: it does not start with a header line (binary data or a "
                         "message without headers).")
    message = BytesParser(policy=POLICY).parsebytes(raw)
    if not isinstance(message, EmailMessage):
        raise ParseError("Not an email message.")
    if len(message.keys()) < 2:
        raise ParseError("Not an email message: fewer than two header fields.")
    return message


def sender_of(message: EmailMessage) -> tuple[str, str]:
    """(display name, address) from From, with Sender and Reply-To as fallbacks; ParseError without any."""
    for name in ("From", "Sender", "Reply-To"):
        text = header_text(message, name)
        if not text:
            continue
        display, address = parseaddr(text)
        if "@" in address:
            return one_line(display)[:200], address.strip()
    raise ParseError("The message has no usable From address, so we cannot tell who wrote it.")


def candidate_recipients(message: EmailMessage, meta: dict[str, Any]) -> list[str]:
    """Every address the message was delivered to: the SMTP envelope first, then the headers."""
    found = [str(a) for a in meta.get("rcpt_tos", []) if a]
    for name in RECIPIENT_HEADERS:
        values = raw_header_all(message, name)
        found += [address for _, address in getaddresses(values) if "@" in address]
    return found


def truncate(text: str, limit: int) -> str:
    """Cut over-long text at a line or word boundary and say so; the raw message keeps everything."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    if cut < limit * 0.8:
        cut = text.rfind(" ", 0, limit)
    if cut < limit * 0.8:
        cut = limit
    omitted = len(text) - cut
    return text[:cut].rstrip() + f"\n\n[Message truncated: {omitted:,} more characters are in the original email.]"


def sent_at(message: EmailMessage) -> Any:
    try:
        value = parsedate_to_datetime(raw_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value is not None and value.tzinfo is not None else None


def decode_text(part: Message) -> str:
    """A text part's content in its declared charset; unknown or wrong charsets degrade, never crash."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    aliases = {"x-unknown": "latin-1", "unknown-8bit": "latin-1", "us-ascii": "utf-8"}
    charset = aliases.get(charset.lower(), charset)
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("windows-1252", errors="replace")


def body_texts(parts: Parts) -> tuple[str, str]:
    """(plain text, raw HTML) of a message's body parts."""
    plain = "\n\n".join(text for text in (decode_text(p) for p in parts.plain) if text.strip())
    html = "\n".join(decode_text(p) for p in parts.html)
    return without_nul(plain), without_nul(html)
