"""The email channel adapter: RFC 5322 messages in, SMTP replies out."""

from typing import Any

from civicdesk.cases.models import Message
from civicdesk.channels.protocol import ChannelAdapter, NormalizedMessage, ParseError


class EmailAdapter(ChannelAdapter):
    channel = "email"

    def parse(self, raw: bytes, meta: dict[str, Any]) -> NormalizedMessage:
        raise ParseError("email parsing is being built")

    def send(self, message: Message) -> str:
        raise RuntimeError("email sending is being built")
