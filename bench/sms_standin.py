"""A stand-in Twilio SMS adapter for bench_sms_inbound.py while channels/providers/twilio/adapter.py is missing.

Used only when the real adapter cannot be imported: it verifies X-Twilio-Signature and parses the form fields the
bench sends (MessageSid, From, To, Body), so the hot path around it (webhook, store, queue, pipeline) can be
measured. The figures of a run with it say so."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from civicdesk.channels import signatures
from civicdesk.channels.events import InboundEvent, InboundMessage, SenderIdentity
from civicdesk.channels.outbound import Capabilities
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError
from civicdesk.channels.providers.twilio.endpoints import conversation_key
from civicdesk.channels.registry import AccountConfig


class StandInTwilioAdapter(ChannelAdapter):
    channel = "sms"
    capabilities = Capabilities()
    signature_header = signatures.TWILIO_SIGNATURE_HEADER

    def challenge(self, query: Mapping[str, str], config: AccountConfig) -> str | None:
        return None

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: AccountConfig) -> bool:
        return signatures.valid_twilio_signature(config.credentials.get("auth_token", ""), url, body,
                                                 headers.get(self.signature_header))

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        sid = parse_qs(raw.decode("utf-8", "replace")).get("MessageSid", [""])[0]
        return sid or super().provider_message_id(raw, meta)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if not form.get("MessageSid") or not form.get("From"):
            raise ParseError("No MessageSid or From.")
        return [InboundMessage(channel="sms", provider_message_id=form["MessageSid"],
                               sender=SenderIdentity("phone", form["From"]), body_text=form.get("Body", ""),
                               conversation_key=conversation_key(form["From"], form.get("To", "")),
                               account_id=meta.get("account_id"), recipient=form.get("To", ""))]

    def send(self, message: Any, account: Any = None) -> str:
        raise PermanentSendError("The bench's stand-in adapter only receives.")
