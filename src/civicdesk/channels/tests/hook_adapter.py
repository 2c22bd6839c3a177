"""A webhook adapter for tests only, signing like Meta (X-Hub-Signature-256 with the account's app_secret)."""

import json
from collections.abc import Mapping
from typing import Any

from civicdesk.channels import signatures
from civicdesk.channels.events import InboundEvent
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError
from civicdesk.channels.registry import AccountConfig


class HubTestAdapter(ChannelAdapter):
    channel = "facebook"
    signature_header = signatures.HUB_SIGNATURE_HEADER

    def challenge(self, query: Mapping[str, str], config: AccountConfig) -> str | None:
        token = config.credentials.get("verify_token", "")
        if query.get("hub.mode") == "subscribe" and token and query.get("hub.verify_token") == token:
            return query.get("hub.challenge", "")
        return None

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: AccountConfig) -> bool:
        return signatures.valid_hub_signature(config.credentials.get("app_secret", ""), body,
                                              headers.get(self.signature_header))

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        try:
            return str(json.loads(raw)["id"])
        except (ValueError, KeyError, TypeError):
            return super().provider_message_id(raw, meta)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        raise ParseError("test adapter: nothing to parse")

    def send(self, message: Any, account: Any = None) -> str:
        raise PermanentSendError("The webhook test adapter only receives.")
