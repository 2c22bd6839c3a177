"""Reading delivery-status notifications (RFC 3464 bounces): which of our messages failed, and why."""

from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import HeaderParser

from civicdesk.mail.parsing import message_ids, raw_header

FAILED_ACTIONS = {"failed"}  # "delayed", "delivered", "relayed" and "expanded" are not failures


@dataclass
class Bounce:
    message_ids: list[str] = field(default_factory=list)  # Message-IDs of our messages that bounced
    reason: str = ""


def _status_fields(part: Message) -> list[dict[str, str]]:
    """The per-message and per-recipient field groups of a message/delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parses each group into a Message of its own
        groups = [{k.lower(): str(v).strip() for k, v in group.items()} for group in payload
                  if isinstance(group, Message)]
    else:
        text = payload if isinstance(payload, str) else ""
        groups = [{k.lower(): str(v).strip() for k, v in HeaderParser().parsestr(chunk).items()}
                  for chunk in text.replace("\r\n", "\n").split("\n\n") if chunk.strip()]
    return groups


def _original_headers(part: Message) -> Message | None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        return inner[0] if isinstance(inner, list) and inner and isinstance(inner[0], Message) else None
    if part.get_content_type() == "text/rfc822-headers":
        content = part.get_payload(decode=True)
        text = content.decode("ascii", "replace") if isinstance(content, bytes) else ""
        return HeaderParser().parsestr(text)
    return None


def read_bounce(message: EmailMessage) -> Bounce | None:
    """A failed-delivery report and the ids of the messages it is about, or None for anything else.

    The ids come from the returned message or its headers; without those, from the report's own In-Reply-To and
    References (some mail servers answer that way).
    """
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "") or "").lower() != "delivery-status":
        return None
    failed: list[str] = []
    ids: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            for group in _status_fields(part):
                if group.get("action", "").lower() in FAILED_ACTIONS:
                    recipient = group.get("final-recipient", "").split(";")[-1].strip()
                    detail = group.get("diagnostic-code", "").split(";", 1)[-1].strip() or group.get("status", "")
                    failed.append(f"{recipient}: {detail}".strip(": "))
        original = _original_headers(part)
        if original is not None:
            ids += [i for i in message_ids(str(original.get("Message-ID", ""))) if i not in ids]
    if not failed:
        return None
    if not ids:
        ids = message_ids(raw_header(message, "In-Reply-To")) + message_ids(raw_header(message, "References"))
    return Bounce(message_ids=ids, reason="Bounced: " + "; ".join(failed)) if ids else None
