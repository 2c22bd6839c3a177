"""Test helpers: SMS-like inbound messages on a conversation, run through the real pipeline."""

import itertools
from dataclasses import fields
from typing import Any

from civicdesk.channels.events import InboundMessage, SenderIdentity
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.conversations.pipeline import IngestResult, apply

RESIDENT = "+12155550100"
OUR_NUMBER = "+12155550199"
CONVERSATION = f"{RESIDENT}:{OUR_NUMBER}"
_seq = itertools.count(1)


def sms(text: str, *, sender: str = RESIDENT, ours: str = OUR_NUMBER, **kwargs: Any) -> InboundMessage:
    return InboundMessage(channel="sms", provider_message_id=f"SM{next(_seq):032d}", sender=SenderIdentity(
        "phone", sender), body_text=text, visible_text=text, conversation_key=f"{sender}:{ours}", **kwargs)


def receive(message: InboundMessage) -> IngestResult:
    """Store and apply one inbound message, as the pipeline does for a parsed payload."""
    payload, _ = store_payload(message.channel, message.body_text.encode(),
                               provider_message_id=message.provider_message_id)
    return apply(payload, _pipeline_input(message))  # type: ignore[arg-type]


def _pipeline_input(message: InboundMessage) -> Any:
    """The pipeline's input type: InboundMessage itself once apply() takes it, NormalizedMessage until then."""
    try:
        from civicdesk.channels.protocol import NormalizedMessage  # type: ignore[attr-defined]
    except ImportError:
        return message
    names = {f.name for f in fields(NormalizedMessage)}
    return NormalizedMessage(**{f.name: getattr(message, f.name) for f in fields(message) if f.name in names})


class TestSmsAdapter(ChannelAdapter):
    """An SMS channel for tests: nothing to parse (tests build the messages), sending records the message."""

    channel = "sms"
    sent: list[int] = []

    def parse(self, raw: bytes, meta: dict[str, Any]) -> Any:
        raise ParseError("The test SMS channel parses nothing.")

    def send(self, message: Any) -> str:
        self.sent.append(message.pk)
        return f"SMtest{message.pk}"
