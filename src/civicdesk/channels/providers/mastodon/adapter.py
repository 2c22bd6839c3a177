"""The Mastodon adapter: one account on one instance, streamed, caught up by polling, answering in the thread."""

from typing import Any

from civicdesk.channels.events import InboundEvent
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter
from civicdesk.channels.providers.mastodon import parsing, receiving, sending, simulation
from civicdesk.channels.pulling import PollResult, PulledPayload

# 500 characters per status; a mention of a remote account counts as its username only, so 40 are kept for the
# "@resident" the reply starts with.
MAX_REPLY = 460


class MastodonAdapter(ChannelAdapter):
    """A Mastodon account of an agency (a ChannelAccount of provider "mastodon"): a StreamingAdapter and a
    PollingAdapter (channels.pulling), so `civicdesk channels listen` holds its stream and polls after a gap."""

    channel = Channel.MASTODON
    capabilities = Capabilities(max_length=MAX_REPLY, public_replies=True)

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        return parsing.event_id(raw) or super().provider_message_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """The same notification from the stream and from the catch-up is one payload, whatever its counters."""
        return parsing.canonical_hash(raw)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        return parsing.parse(raw, meta)

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        return sending.send(message, account)

    def post(self, config: Any, text: str, reference: str = "") -> str:
        """A public status of the account's own (crisis broadcasts)."""
        return sending.post(config, text, reference)

    def poll(self, config: Any) -> PollResult:
        return receiving.poll(config)

    def listen(self, config: Any, deliver: Any, stop: Any) -> None:
        receiving.listen(config, deliver, stop)

    def simulate(self, config: Any, text: str, kind: str) -> Any:
        """A mention (public) or a direct message, shaped as the stream delivers a notification."""
        return simulation.simulated(config, text, kind)

    def fetch_media(self, url: str, config: Any) -> Any:
        """A status's media file: public on the instance's media host, fetched without credentials."""
        from civicdesk.channels.providers.twilio.media import fetch_media  # the same size and type checks

        return fetch_media(url, {"credentials": {}})


__all__ = ["MastodonAdapter", "PulledPayload"]
