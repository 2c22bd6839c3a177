"""The channel protocol: every adapter parses inbound traffic into a list of typed events and sends outbound."""

import hashlib
from abc import ABC, abstractmethod
from typing import Any

from civicdesk.channels.events import InboundEvent
from civicdesk.channels.outbound import Capabilities, OutboundMessage


class ParseError(Exception):
    """The payload cannot be understood; it goes to quarantine with this message."""


class PermanentSendError(Exception):
    """Sending can never succeed (bad address, rejected content): do not retry."""


class RateLimited(Exception):  # noqa: N818 (the provider's answer, like PermanentSendError)
    """The provider refused for now (a 429, an exhausted quota): call this account again after `retry_after`
    seconds. Raised by send() and poll(); the account pauses, no attempt is counted, and other accounts go on."""

    def __init__(self, retry_after: float, detail: str = "") -> None:
        super().__init__(detail or f"Rate limited; retry after {retry_after:.0f} s.")
        self.retry_after = max(1.0, float(retry_after))
        self.detail = detail


class CapturedNotSent(Exception):  # noqa: N818 (an outcome, like PermanentSendError; not a failure)
    """Nothing was sent: the message was kept in a local outbox (no server to send through is configured).

    Delivery records it as "captured, not sent", never as sent or delivered; `reference` names the kept copy.
    """

    def __init__(self, reference: str) -> None:
        super().__init__(f"Kept in the outbox as {reference}; not sent.")
        self.reference = reference


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
    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        """Turn a raw payload into the events it carries (one or more, plain values only), or raise ParseError."""

    def quarantined(self, payload: Any, error: ParseError) -> None:
        """Called after a payload of this channel went to quarantine; an adapter may tell the sender why."""
        return None

    @abstractmethod
    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """Deliver one outbound message (plain values, rendered for this channel) from `account` (None: the
        channel's default); return the provider's id for it. Raise PermanentSendError to give up, CapturedNotSent
        when it was only kept in a local outbox, anything else to retry with backoff. No database reads here:
        everything it needs is in `message` and `account`."""
