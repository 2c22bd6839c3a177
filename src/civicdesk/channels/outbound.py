"""What an adapter's send() takes: plain values (no ORM rows), and what each channel can carry."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from civicdesk.channels.events import Visibility


@dataclass(frozen=True)
class OutboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutboundMessage:
    """One message to send, rendered for its channel before the adapter sees it."""

    to: str  # an email address, a phone number, a platform user id, a chat session
    sender: str  # our address or number on the account ("" for the account's default)
    text: str
    subject: str = ""  # only where the channel has subjects
    html: str = ""
    message_id: str = ""  # our own id for it where the channel lets us choose one (the email Message-ID)
    in_reply_to: str = ""  # the provider id of the message (or post) this answers
    references: tuple[str, ...] = ()
    conversation_key: str = ""
    attachments: tuple[OutboundAttachment, ...] = ()
    visibility: str = Visibility.PRIVATE
    automatic: bool = False  # sent by the system: loop protection headers where the channel has them
    reference: str = ""  # our reference (the Message pk), echoed back by providers that support it
    headers: dict[str, str] = field(default_factory=dict)
    sender_name: str = ""  # the display name with `sender`, where the channel shows one (the email From name)
    last_inbound_at: datetime | None = None  # when the resident last wrote on the conversation (reply windows)


@dataclass(frozen=True)
class Capabilities:
    """What a channel can carry; replies are rendered to fit before send()."""

    subjects: bool = False
    html: bool = False
    attachments: bool = False
    max_length: int | None = None
    public_replies: bool = False
    reply_window: timedelta | None = None  # Messenger's 24 hours: after that only templates or nothing
    publishes: bool = False  # sending is publishing (the status page): done once stored, no provider involved
