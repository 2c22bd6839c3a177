"""What each channel can carry, until every adapter declares it: the adapter's own `capabilities` wins."""

from datetime import timedelta

from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities
from civicdesk.channels.registry import get_adapter

# The platforms' published limits; an adapter's `capabilities` attribute, once it has one, replaces its row here.
FALLBACK: dict[str, Capabilities] = {
    Channel.EMAIL: Capabilities(subjects=True, html=True, attachments=True),
    Channel.WEB: Capabilities(subjects=True, public_replies=True, publishes=True),
    Channel.OPEN311: Capabilities(public_replies=True, publishes=True),
    Channel.SMS: Capabilities(max_length=1600, attachments=True),  # Twilio's limit for a concatenated message
    Channel.PHONE: Capabilities(max_length=1600),
    Channel.X: Capabilities(max_length=280, public_replies=True),
    Channel.FACEBOOK: Capabilities(max_length=2000, public_replies=True, reply_window=timedelta(hours=24)),
    Channel.INSTAGRAM: Capabilities(max_length=1000, public_replies=True, reply_window=timedelta(hours=24)),
    Channel.MASTODON: Capabilities(max_length=500, public_replies=True),
    Channel.BLUESKY: Capabilities(max_length=300, public_replies=True),
    Channel.YOUTUBE: Capabilities(max_length=10000, public_replies=True),
}


def declared_capabilities(channel: str) -> Capabilities | None:
    """What the channel's configured adapter itself says it carries; None without an adapter or a declaration."""
    try:
        declared = getattr(get_adapter(channel), "capabilities", None)
    except LookupError:  # no adapter configured for the channel (yet)
        return None
    return declared if isinstance(declared, Capabilities) else None


def capabilities(channel: str) -> Capabilities:
    """The channel's capabilities: its adapter's declaration when it has one, else the table above."""
    return declared_capabilities(channel) or FALLBACK.get(channel, Capabilities())
