"""The channel protocol: every adapter parses inbound traffic into a list of typed events and sends outbound."""

import hashlib
from abc import ABC, abstractmethod
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from civicdesk.channels.events import InboundEvent

if TYPE_CHECKING:
    from civicdesk.cases.models import Message


class ParseError(Exception):
    """The payload cannot be understood; it goes to quarantine with this message."""


class PermanentSendError(Exception):
    """Sending can never succeed (bad address, rejected content): do not retry."""


class ChannelAdapter(ABC):
    """One provider's adapter: cheap id extraction, full parsing, and sending."""

    channel: str

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        """The provider's own message id if it can be read cheaply; otherwise a hash of the bytes."""
        return "sha256:" + hashlib.sha256(raw).hexdigest()

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """What decides whether two payloads with one provider id are the same message: a hash of the bytes."""
        return hashlib.sha256(raw).hexdigest()

    @abstractmethod
    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        """Turn a raw payload into the events it carries (one or more, plain values only), or raise ParseError."""

    def quarantined(self, payload: Any, error: ParseError) -> None:
        """Called after a payload of this channel went to quarantine; an adapter may tell the sender why."""
        return None

    @abstractmethod
    def send(self, message: "Message") -> str:
        """Deliver an outbound message; return the provider's id for it. Raise to retry."""


@cache
def get_adapter(channel: str) -> ChannelAdapter:
    try:
        path = settings.CHANNEL_ADAPTERS[channel]
    except KeyError as exc:
        raise LookupError(f"No adapter is configured for channel {channel!r}") from exc
    adapter: ChannelAdapter = import_string(path)()
    return adapter
