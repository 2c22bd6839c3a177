"""Test helpers: SMS-like inbound messages on a conversation, run through the real pipeline."""

import itertools
from typing import Any

from civicdesk.channels.events import InboundMessage, SenderIdentity
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.conversations.pipeline import IngestResult, apply, prepare

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
    return apply(payload, [prepare(message)])


class TestSmsAdapter(ChannelAdapter):
    """An SMS channel for tests: nothing to parse (tests build the messages), sending records the message."""

    channel = "sms"
    sent: list[int] = []

    def parse(self, raw: bytes, meta: dict[str, Any]) -> Any:
        raise ParseError("The test SMS channel parses nothing.")

    def send(self, message: Any, account: Any = None) -> str:
        self.sent.append(int(message.reference))
        return f"SMtest{message.reference}"
