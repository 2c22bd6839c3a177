"""The channel protocol: every adapter parses inbound traffic into a NormalizedMessage and sends outbound."""

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from civicdesk.channels.outbound import Capabilities, OutboundMessage


class ParseError(Exception):
    """The payload cannot be understood; it goes to quarantine with this message."""


class PermanentSendError(Exception):
    """Sending can never succeed (bad address, rejected content): do not retry."""


@dataclass
class SenderIdentity:
    kind: str  # an IdentityKind value
    value: str
    display_name: str = ""


@dataclass
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    is_public: bool = False


@dataclass
class NormalizedMessage:
    """What any channel's inbound message means, independent of its wire format."""

    channel: str
    provider_message_id: str
    sender: SenderIdentity | None = None
    extra_identities: list[SenderIdentity] = field(default_factory=list)
    contact_name: str = ""
    contact_kind: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    visible_text: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    email_message_id: str = ""
    thread_refs: list[str] = field(default_factory=list)
    conversation_key: str = ""  # as on events.InboundMessage, until parse returns those
    visibility: str = "private"
    account_id: int | None = None
    case_number: str = ""
    recipient: str = ""
    agency_slug: str = ""
    service_code: str = ""
    service: Any = None  # the agencies.Service of service_code, when the adapter already looked it up
    route: Any = None  # a cases.routing.Route decided before the ingest transaction (for a new case), if any
    attributes: dict[str, Any] = field(default_factory=dict)
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    sent_at: datetime | None = None
    is_automatic: bool = False
    bounced_message_ids: list[str] = field(default_factory=list)  # a delivery failure report about these of ours
    bounce_reason: str = ""
    source_app: str = ""
    always_new_case: bool = False


class ChannelAdapter(ABC):
    """One provider's adapter: cheap id extraction, full parsing, and sending."""

    channel: str
    capabilities: Capabilities  # each adapter declares what its channel can carry

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        """The provider's own message id if it can be read cheaply; otherwise a hash of the bytes."""
        return "sha256:" + hashlib.sha256(raw).hexdigest()

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """What decides whether two payloads with one provider id are the same message: a hash of the bytes."""
        return hashlib.sha256(raw).hexdigest()

    @abstractmethod
    def parse(self, raw: bytes, meta: dict[str, Any]) -> NormalizedMessage:
        """Turn a raw payload into a NormalizedMessage, or raise ParseError."""

    def quarantined(self, payload: Any, error: ParseError) -> None:
        """Called after a payload of this channel went to quarantine; an adapter may tell the sender why."""
        return None

    @abstractmethod
    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """Deliver one outbound message (plain values, rendered for this channel) from `account` (None: the
        channel's default); return the provider's id for it. Raise PermanentSendError to give up, anything else
        to retry with backoff. No database reads here: everything it needs is in `message` and `account`."""


@cache
def get_adapter(channel: str) -> ChannelAdapter:
    try:
        path = settings.CHANNEL_ADAPTERS[channel]
    except KeyError as exc:
        raise LookupError(f"No adapter is configured for channel {channel!r}") from exc
    adapter: ChannelAdapter = import_string(path)()
    return adapter
