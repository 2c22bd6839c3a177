"""The chat channel's adapter: nothing arrives as a stored payload, and sending is already done once stored.

Residents' chat messages are written by civicdesk.chat.actions directly (the live path has no payload round trip),
so parse() never sees one. A reply written outside the chat (the case page's composer) is on the resident's
screen as soon as it is stored (the chat app adds it to the session's event log in the same transaction), so the
delivery job only marks it sent.
"""

from typing import Any

from django.conf import settings

from civicdesk.channels.events import InboundEvent
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError


class ChatAdapter(ChannelAdapter):
    channel = Channel.CHAT
    capabilities = Capabilities(max_length=settings.CHAT_MAX_MESSAGE_CHARS)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        raise ParseError("Live chat messages are not received as stored payloads.")

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        return f"chat:reply:{message.reference}"
