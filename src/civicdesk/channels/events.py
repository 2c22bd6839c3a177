"""What an adapter's parse() returns: a typed union of inbound events, plain values only (no ORM objects)."""

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models


class Visibility(models.TextChoices):
    """Whether the resident wrote in public (a post or comment anyone sees) or in private (mail, SMS, a DM)."""

    PRIVATE = "private", "Private"
    PUBLIC = "public", "Public"


class DeliveryOutcome(models.TextChoices):
    """What a provider reports about one of our outbound messages."""

    SENT = "sent", "Accepted by the provider"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"


@dataclass
class SenderIdentity:
    kind: str  # an IdentityKind value
    value: str
    display_name: str = ""


@dataclass
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes = b""
    content_id: str = ""
    is_public: bool = False
    url: str = ""  # a provider's media URL, fetched later (MMS, social media); content stays empty until then


@dataclass
class InboundMessage:
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
    conversation_key: str = ""  # the channel's thread: a pair of numbers, a DM thread, a root post, a chat session
    visibility: str = Visibility.PRIVATE
    account_id: int | None = None  # the ChannelAccount that received it, when the entry point knows
    email_message_id: str = ""
    thread_refs: list[str] = field(default_factory=list)
    case_number: str = ""
    recipient: str = ""
    agency_slug: str = ""
    service_code: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    sent_at: datetime | None = None
    permalink: str = ""
    language: str = ""
    source_app: str = ""
    always_new_case: bool = False


@dataclass
class DeliveryReport:
    """A provider's word on one of our outbound messages (a bounce, a status callback)."""

    channel: str
    provider_message_id: str  # the report's own id, for deduplication
    about: list[str]  # the provider ids (or email Message-IDs) of our message it is about
    outcome: str  # a DeliveryOutcome value
    error: str = ""
    at: datetime | None = None


@dataclass
class OptOut:
    """The sender asks for no more messages on this channel (STOP), or, with opt_in, for them again (START)."""

    channel: str
    provider_message_id: str
    sender: SenderIdentity
    opt_in: bool = False
    keyword: str = ""


@dataclass
class AuthorEdit:
    """The author edited (or, with deleted, removed) a message they sent earlier; platform rules oblige us to follow."""

    channel: str
    provider_message_id: str
    target_id: str  # the provider id of the edited message
    text: str = ""
    deleted: bool = False


@dataclass
class Ignored:
    """A payload (or part of one) that means nothing to us: an auto-reply, a typing indicator, our own echo."""

    channel: str
    provider_message_id: str
    reason: str = ""


@dataclass
class CallPart:
    """One part of a phone call's voicemail (its recording, or the transcript of it): every part of one call makes
    one message. `message` describes the call (its provider id is the call's; the caller, our number, the
    conversation key); each part takes effect once, by `part_id`."""

    message: InboundMessage
    part_id: str
    recording_url: str = ""  # fetched later by a background job, with the account's credentials
    recording_sid: str = ""
    duration_seconds: int | None = None
    transcript: str = ""
    transcript_failed: bool = False


InboundEvent = InboundMessage | DeliveryReport | OptOut | AuthorEdit | CallPart | Ignored


def event_digest(event: Any) -> str:
    """A hash of one event's values: what tells two events with one provider id apart. The pipeline deduplicates a
    batched payload's events on it, so an adapter whose one-event payload hashes the same way (content_hash) makes
    the same event delivered alone and inside a batch one message."""
    def plain(value: Any) -> str:
        return hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else str(value)

    text = json.dumps(dataclasses.asdict(event), sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()
