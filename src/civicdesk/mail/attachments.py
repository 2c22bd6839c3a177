"""Walking a MIME tree: which parts are the body, which are attachments (inline images included)."""

import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message

from civicdesk.channels.events import InboundAttachment

UNSAFE_FILENAME_RE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
SKIPPED_TYPES = {"message/delivery-status", "message/disposition-notification", "application/pgp-signature",
                 "application/pkcs7-signature", "application/x-pkcs7-signature"}


@dataclass
class Parts:
    plain: list[Message] = field(default_factory=list)
    html: list[Message] = field(default_factory=list)
    attachments: list[Message] = field(default_factory=list)
    forwarded: list[Message] = field(default_factory=list)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(part.get_filename())


def _walk(part: Message, parts: Parts) -> None:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        parts.attachments.append(part)
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            parts.forwarded.append(inner[0])
        return
    if part.is_multipart():
        payload = part.get_payload()
        children = payload if isinstance(payload, list) else []
        for child in children:
            if isinstance(child, Message):
                _walk(child, parts)
        return
    if content_type in SKIPPED_TYPES:
        return
    if content_type == "text/plain" and not _is_attachment(part):
        parts.plain.append(part)
    elif content_type == "text/html" and not _is_attachment(part):
        parts.html.append(part)
    else:
        parts.attachments.append(part)


def collect_parts(message: Message) -> Parts:
    """Body candidates and attachments; a multipart/alternative gives both its plain and its HTML version."""
    parts = Parts()
    _walk(message, parts)
    return parts


def safe_filename(name: str, content_type: str, number: int) -> str:
    """A filename without paths or control characters; one is made up from the type when missing."""
    cleaned = UNSAFE_FILENAME_RE.sub("_", (name or "").strip()).strip(" ._")
    if cleaned:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and len(cleaned) > 200:
            cleaned = stem[:190] + "." + extension[:9]
        return cleaned[:200]
    extension = ".eml" if content_type == "message/rfc822" else (mimetypes.guess_extension(content_type) or ".bin")
    return f"attachment-{number}{extension}"


def part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes()
        return b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def to_attachments(parts: list[Message]) -> list[InboundAttachment]:
    """Decoded attachments with safe names; inline images keep their Content-ID for the HTML's cid: links."""
    found = []
    for number, part in enumerate(parts, start=1):
        content_type = part.get_content_type()
        try:
            filename = part.get_filename() or ""
        except (ValueError, LookupError):
            filename = ""
        content_id = str(part.get("Content-ID", "") or "").strip().strip("<>")
        found.append(InboundAttachment(
            filename=safe_filename(filename, content_type, number), content_type=content_type[:120],
            content=part_bytes(part), content_id=content_id[:255],
        ))
    return found


def forwarded_text(inner: Message, text: str) -> str:
    """A message attached as message/rfc822 rendered like an inline forward, so its report is readable."""
    header_lines = [f"{name}: {inner.get(name)}" for name in ("From", "Date", "Subject", "To") if inner.get(name)]
    return "\n".join(["---------- Forwarded message ---------", *header_lines, "", text])
