"""The web portal channel: form submissions in, public status-page updates out."""

import json
from typing import Any

from civicdesk.cases.models import Message
from civicdesk.channels.protocol import ChannelAdapter, NormalizedMessage, ParseError


class WebAdapter(ChannelAdapter):
    channel = "web"

    def parse(self, raw: bytes, meta: dict[str, Any]) -> NormalizedMessage:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ParseError(f"Portal submission is not JSON: {exc}") from exc
        raise ParseError(f"Portal submission not understood: {sorted(data)}")

    def send(self, message: Message) -> str:
        return ""
