"""Test factories for social networks without their adapters: an agency's account, and a case made by a resident's
public post or private message arriving through the real pipeline."""

import itertools
from typing import Any

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.models import Case
from civicdesk.channels.events import InboundMessage, SenderIdentity, Visibility
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.conversations.pipeline import apply, prepare

_seq = itertools.count(1)
PROVIDER_OF: dict[str, str] = {Channel.FACEBOOK: Provider.META, Channel.X: Provider.X,
                               Channel.MASTODON: Provider.MASTODON, Channel.BLUESKY: Provider.BLUESKY,
                               Channel.YOUTUBE: Provider.YOUTUBE}
IDENTITY_OF: dict[str, str] = {Channel.FACEBOOK: "facebook", Channel.X: "x", Channel.MASTODON: "mastodon",
               Channel.BLUESKY: "bluesky", Channel.YOUTUBE: "youtube"}


SOCIAL_CHANNELS = tuple(PROVIDER_OF)
SENT: list[OutboundMessage] = []  # what the test adapter "sent", in order


class SocialTestAdapter(ChannelAdapter):
    """Stands in for every network's adapter in tests that are not about one network: parses nothing (the tests
    hand the pipeline parsed messages), and keeps what it sends in SENT."""

    channel = ""

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[Any]:
        raise ParseError("the social test adapter parses nothing")

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        SENT.append(message)
        return f"sent-{next(_seq)}"


def use_test_adapters(settings: Any) -> None:
    """Point every social channel and provider at SocialTestAdapter (pytest-django's `settings` fixture)."""
    path = f"{__name__}.SocialTestAdapter"
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, **dict.fromkeys(SOCIAL_CHANNELS, path)}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, **{str(p): path for p in PROVIDER_OF.values()}}
    SENT.clear()


def social_account(agency: Agency, channel: str, address: str = "") -> ChannelAccount:
    """The agency's own account on the network (no credentials: nothing is really sent in tests)."""
    return ChannelAccount.objects.create(channel=channel, provider=PROVIDER_OF[channel], agency=agency,
                                         address=address or f"@city-{next(_seq)}", display_name="City")


def social_message(channel: str, handle: str, text: str, *, public: bool = True, key: str = "",
                   account: ChannelAccount | None = None, display: str = "", pid: str = "",
                   **kwargs: Any) -> InboundMessage:
    return InboundMessage(
        channel=channel, provider_message_id=pid or f"{channel}-{next(_seq)}",
        sender=SenderIdentity(IDENTITY_OF[channel], handle, display), body_text=text, visible_text=text,
        conversation_key=key or f"post-{next(_seq)}",
        visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
        account_id=account.pk if account is not None else None, **kwargs)


def deliver(message: InboundMessage, service: Service | None = None) -> Case:
    """Run one message through the pipeline as its adapter would; the case it is on."""
    payload, _ = store_payload(message.channel, b"{}", provider_message_id=message.provider_message_id)
    result = apply(payload, [prepare(message, service=service)])
    assert result.case is not None
    return result.case


def social_case(service: Service, channel: str = Channel.MASTODON, handle: str = "@rosa@social.example",
                text: str = "Huge pothole here, please fix", *, public: bool = True,
                account: ChannelAccount | None = None, **kwargs: Any) -> Case:
    """A case opened by a resident's public post (or, with public=False, a direct message) to the agency's account."""
    account = account or social_account(service.agency, channel)
    return deliver(social_message(channel, handle, text, public=public, account=account, **kwargs), service)
