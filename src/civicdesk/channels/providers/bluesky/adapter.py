"""The Bluesky adapter: a polled account (no webhook exists), parsing what the poll stored, and sending replies."""

import hashlib
from typing import Any

from civicdesk.channels.events import InboundEvent
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, PermanentSendError
from civicdesk.channels.providers.bluesky import parsing, polling, sending, simulation
from civicdesk.channels.pulling import PollResult
from civicdesk.channels.simulate import SimulatedPull


class BlueskyAdapter(ChannelAdapter):
    """One Bluesky handle of an agency (a ChannelAccount of provider "bluesky"): polled for mentions, replies,
    quotes and chat messages; answers with reply posts in the thread, or chat messages in private."""

    channel = Channel.BLUESKY
    capabilities = Capabilities(max_length=sending.MAX_GRAPHEMES, public_replies=True)

    def poll(self, config: Any) -> PollResult:
        return polling.poll(config)

    def simulate(self, config: Any, text: str, kind: str) -> SimulatedPull:
        """A mention, a reply to our post, or a chat message, shaped as the poll stores it."""
        return simulation.simulated(config, text, kind)

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        """The post's AT URI, "chat:<convo>:<message id>", or "deleted:<uri>"."""
        return parsing.provider_id(raw) or super().provider_message_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """A post fetched again is the same while its CID is (isRead and the author's handle may have changed)."""
        stable = parsing.stable_parts(raw)
        return hashlib.sha256(stable.encode()).hexdigest() if stable else super().content_hash(raw, meta)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        return parsing.events_of(raw, meta)

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """A reply post in the thread (public) or a chat message (private); returns its id (AT URI or chat id)."""
        if account is None:
            raise PermanentSendError("No Bluesky account is connected for this conversation.")
        if sending.is_direct(message):
            return sending.send_direct_message(account, message)
        return sending.send_post_reply(account, message)
