"""Twilio's webhook bodies as events: incoming SMS/MMS and status callbacks, form-encoded or as Event Streams JSON."""

import json
import re
from typing import Any

from civicdesk.channels.events import (
    DeliveryOutcome,
    DeliveryReport,
    InboundAttachment,
    InboundEvent,
    InboundMessage,
    SenderIdentity,
)
from civicdesk.channels.models import Channel
from civicdesk.channels.protocol import ParseError
from civicdesk.channels.providers.twilio.endpoints import Endpoint, conversation_key
from civicdesk.channels.providers.twilio.errors import plain_error
from civicdesk.channels.providers.twilio.language import guess_language
from civicdesk.channels.signatures import form_pairs

SID_RE = re.compile(r"^[A-Z]{2}[0-9a-zA-Z]{16,40}$")  # SM/MM + 32 hex; documented examples are shorter
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_MEDIA = 10  # Twilio carries at most 10 media per MMS
# Twilio's MessageStatus -> our outcome; accepted, scheduled, sending, receiving and received say nothing new.
STATUS_OUTCOMES = {
    "queued": DeliveryOutcome.SENT, "sent": DeliveryOutcome.SENT, "delivered": DeliveryOutcome.DELIVERED,
    "read": DeliveryOutcome.READ, "undelivered": DeliveryOutcome.FAILED, "failed": DeliveryOutcome.FAILED,
}
PHONE_IDENTITY = "phone"  # contacts' IdentityKind.PHONE (the channel layer imports nothing from contacts)
EVENT_PREFIX = "com.twilio.messaging."
INBOUND_EVENT = "com.twilio.messaging.inbound-message.received"
MEDIA_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/heic": ".heic",
                    "image/webp": ".webp", "video/mp4": ".mp4", "video/3gpp": ".3gp", "audio/mpeg": ".mp3",
                    "audio/amr": ".amr", "audio/wav": ".wav", "application/pdf": ".pdf", "text/vcard": ".vcf",
                    "text/x-vcard": ".vcf", "text/plain": ".txt"}


def is_json(raw: bytes) -> bool:
    return raw.lstrip()[:1] in (b"{", b"[")


def form(raw: bytes) -> dict[str, str]:
    """The form parameters, the first value of each (Twilio sends each once); ParseError when it is no form."""
    pairs, well_formed = form_pairs(raw)  # parsed once per body (signature, id, hash and parse share it)
    if not well_formed:
        raise ParseError("The Twilio webhook body is not a form-encoded body.")
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def message_sid(params: dict[str, str]) -> str:
    return params.get("MessageSid") or params.get("SmsMessageSid") or params.get("SmsSid") or ""


def kind_of(params: dict[str, str], meta: dict[str, Any]) -> str:
    """Which callback it is: the endpoint it arrived on, else (an older payload) what its fields say."""
    endpoint = meta.get("endpoint")
    if isinstance(endpoint, str):
        return endpoint
    if "MessageStatus" in params and "Body" not in params:
        return Endpoint.STATUS
    return Endpoint.SMS


def events_of_form(raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
    params = form(raw)
    kind = kind_of(params, meta)
    if kind == Endpoint.STATUS:
        return [status_report(message_sid(params), params.get("MessageStatus", ""), params.get("ErrorCode", ""),
                              params.get("ErrorMessage", ""))]
    if kind == Endpoint.SMS:
        return [inbound_form(params, meta)]
    raise ParseError(f"The Twilio SMS adapter does not parse callbacks of the {kind!r} endpoint.")


def phone(value: str, field: str) -> str:
    number = (value or "").strip()
    if not E164_RE.match(number):
        raise ParseError(f"Twilio's {field} is not a phone number in E.164 form.")
    return number


def valid_sid(sid: str) -> str:
    if not sid or not SID_RE.match(sid):
        raise ParseError("The Twilio webhook carries no valid MessageSid.")
    return sid


def inbound_form(params: dict[str, str], meta: dict[str, Any]) -> InboundMessage:
    """An incoming SMS or MMS: the text, and one attachment (a URL fetched later) per MediaUrlN."""
    sid = valid_sid(message_sid(params))
    sender, ours = phone(params.get("From", ""), "From"), phone(params.get("To", ""), "To")
    try:
        count = int(params.get("NumMedia") or 0)
    except ValueError as exc:
        raise ParseError("Twilio's NumMedia is not a number.") from exc
    if not 0 <= count <= MAX_MEDIA:
        raise ParseError(f"Twilio's NumMedia is {count}; an MMS carries 0 to {MAX_MEDIA} media.")
    attachments = []
    for index in range(count):
        url = params.get(f"MediaUrl{index}", "")
        if not url.startswith(("https://", "http://")):
            raise ParseError(f"Twilio's MediaUrl{index} is missing or not a web address.")
        attachments.append(media_attachment(sid, index, url, params.get(f"MediaContentType{index}", "")))
    attributes = {name: params[source] for name, source in (("num_segments", "NumSegments"),
                                                            ("num_media", "NumMedia")) if params.get(source)}
    return message(sid, sender, ours, params.get("Body", ""), attachments, attributes, meta)


def media_attachment(sid: str, index: int, url: str, content_type: str) -> InboundAttachment:
    content_type = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    name = f"{sid}-{index + 1}{MEDIA_EXTENSIONS.get(content_type, '')}"
    return InboundAttachment(filename=name, content_type=content_type, url=url)


def message(sid: str, sender: str, ours: str, body: str, attachments: list[InboundAttachment],
            attributes: dict[str, Any], meta: dict[str, Any]) -> InboundMessage:
    account_id = meta.get("account_id")
    return InboundMessage(
        channel=Channel.SMS, provider_message_id=sid, sender=SenderIdentity(PHONE_IDENTITY, sender),
        body_text=body, attachments=attachments, conversation_key=conversation_key(sender, ours), recipient=ours,
        account_id=account_id if isinstance(account_id, int) else None, attributes=attributes,
        language=guess_language(body),
    )


def status_report(sid: str, status: str, code: object = "", error_message: str = "") -> InboundEvent:
    """A status callback about one of our texts; its id is unique per (MessageSid, status): each applies once."""
    sid = valid_sid(sid)
    status = (status or "").strip().lower()
    outcome = STATUS_OUTCOMES.get(status)
    if outcome is None:
        raise ParseError(f"Twilio's MessageStatus {status!r} is not a delivery status of an outbound text.")
    error = plain_error(code, error_message) if outcome == DeliveryOutcome.FAILED else ""
    return DeliveryReport(channel=Channel.SMS, provider_message_id=f"{sid}:{status}", about=[sid], outcome=outcome,
                          error=error)


def cloud_events(raw: bytes) -> list[dict[str, Any]]:
    """Event Streams' CloudEvents (a webhook sink posts a list of them; a single one is accepted too)."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError("The Twilio JSON body is not valid JSON.") from exc
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) and isinstance(item.get("data"), dict) for item in items):
        raise ParseError("The Twilio JSON body holds no events with data.")
    return items


def events_of_json(raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for item in cloud_events(raw):
        kind, data = str(item.get("type", "")), item["data"]
        if kind == INBOUND_EVENT:
            sender, ours = phone(str(data.get("from", "")), "from"), phone(str(data.get("to", "")), "to")
            count = data.get("numSegments")
            attributes = {"num_segments": str(count)} if count else {}
            events.append(message(valid_sid(str(data.get("messageSid", ""))), sender, ours, str(data.get("body", "")),
                                  [], attributes, meta))
        elif kind.startswith(EVENT_PREFIX + "message."):
            status = str(data.get("messageStatus") or kind.removeprefix(EVENT_PREFIX + "message."))
            events.append(status_report(str(data.get("messageSid", "")), status, data.get("errorCode") or "",
                                        str(data.get("errorMessage") or "")))
        else:
            raise ParseError(f"The Twilio event type {kind[:100]!r} is not an SMS event.")
    return events


def json_provider_id(raw: bytes) -> str:
    """One event's own id, as the form callbacks give it; "" for a batch (the payload's hash then serves)."""
    items = cloud_events(raw)
    if len(items) != 1:
        return ""
    kind, data = str(items[0].get("type", "")), items[0]["data"]
    sid = str(data.get("messageSid", ""))
    if kind == INBOUND_EVENT:
        return sid
    status = str(data.get("messageStatus") or kind.removeprefix(EVENT_PREFIX + "message.")).lower()
    return f"{sid}:{status}" if sid else ""
