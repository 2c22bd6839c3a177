"""Replies go out on the conversation the resident last used (or the identity the agent picked), per channel."""

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.cases import actions as case_actions
from civicdesk.cases.followers import send_to_followers
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.cases.queries import reply_address
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import OutboundAttachment
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations.capabilities import capabilities, declared_capabilities
from civicdesk.conversations.consent import OptedOut, refusal
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.rendering import ReplyKind, render

# Cases from these channels have no conversation of their own: replies go by email when the resident gave an
# address, else to the status page (the web channel publishes there).
REPLY_CHANNEL_FOR_EMAIL_CONTACTS = {Channel.WEB, Channel.OPEN311, Channel.PHONE, Channel.EMAIL}

# The channel a reply to one of the contact's identities goes out on, when the agent picks that identity.
CHANNEL_OF_IDENTITY = {
    IdentityKind.EMAIL: Channel.EMAIL, IdentityKind.PHONE: Channel.SMS, IdentityKind.X: Channel.X,
    IdentityKind.FACEBOOK: Channel.FACEBOOK, IdentityKind.INSTAGRAM: Channel.INSTAGRAM,
    IdentityKind.MASTODON: Channel.MASTODON,
    IdentityKind.BLUESKY: Channel.BLUESKY, IdentityKind.YOUTUBE: Channel.YOUTUBE,
}
IDENTITY_OF_CHANNEL: dict[str, str] = {channel: kind for kind, channel in CHANNEL_OF_IDENTITY.items()}


# Channels whose adapter sends an automatic answer to a public comment privately (Meta's private replies).
PRIVATE_ACKNOWLEDGEMENT = frozenset({Channel.FACEBOOK, Channel.INSTAGRAM})


@dataclass(frozen=True)
class ReplyTarget:
    """Where a reply goes: a channel, the resident's address on it ("" for the status page), its conversation."""

    channel: str
    to: str = ""
    conversation: Conversation | None = None


def reply_target(case: Case, identity: Identity | None = None) -> ReplyTarget:
    """The conversation of the resident's latest message on the case, unless the agent picked another of the
    contact's identities; cases from the portal, Open311, phone and email answer by email as before."""
    contact_id = case.contact_id
    if identity is not None:
        if contact_id is None or identity.contact_id != contact_id or identity.kind not in CHANNEL_OF_IDENTITY:
            raise ValueError(gettext("Replies can only go to one of the resident's own addresses or accounts."))
        picked = CHANNEL_OF_IDENTITY[IdentityKind(identity.kind)]
        return ReplyTarget(picked, identity.value, _latest_conversation(picked, identity.pk, case))
    latest = None
    if contact_id is not None:
        latest = (Message.objects.filter(case=case, direction=Direction.INBOUND, sender_identity__contact_id=contact_id)
                  .order_by("-created_at", "-id")
                  .values_list("channel", "sender_identity_id", "sender_identity__kind", "sender_identity__value")
                  .first())
    if case.channel == Channel.CHAT or (latest is not None and latest[0] == Channel.CHAT):
        chat = _after_chat(case, latest)
        if chat is not None:
            return chat
    if latest is not None and latest[0] not in REPLY_CHANNEL_FOR_EMAIL_CONTACTS:
        channel, identity_id, _, value = latest
        return ReplyTarget(channel, value, _latest_conversation(channel, identity_id, case))
    if case.channel not in REPLY_CHANNEL_FOR_EMAIL_CONTACTS:
        return ReplyTarget(case.channel)
    # the address the resident last wrote from on this case, else the one of the case's writer (reply_address)
    address = latest[3] if latest is not None and latest[2] == IdentityKind.EMAIL else reply_address(case)
    return ReplyTarget(Channel.EMAIL, address) if address else ReplyTarget(Channel.WEB)


def received_target(case: Case, received: Message | None, conversation: Conversation | None) -> ReplyTarget | None:
    """reply_target(case) for a case just made from `received` on `conversation`, without reading them back: the
    resident's latest message is that one (from their identity, on a channel answered where it came from, not a
    chat), and its conversation the one just updated. None where any of that does not hold: ask reply_target."""
    identity = received.sender_identity if received is not None else None
    if received is None or identity is None or conversation is None or received.case_id != case.pk:
        return None
    if case.contact_id is None or identity.contact_id != case.contact_id or Channel.CHAT in (received.channel,
                                                                                            case.channel):
        return None
    if received.channel in REPLY_CHANNEL_FOR_EMAIL_CONTACTS or conversation.identity_id != identity.pk or (
            conversation.channel != received.channel):
        return None
    return ReplyTarget(received.channel, identity.value, conversation)


def _after_chat(case: Case, latest: tuple[Any, ...] | None) -> ReplyTarget | None:
    """A live chat answers in the chat (its conversation's reply window is open while it lasts); after it, the
    resident's chosen email or phone (their chat messages' sender identity), else the status page."""
    live = (Conversation.objects.filter(case=case, channel=Channel.CHAT, reply_window_until__gt=timezone.now())
            .order_by("-last_inbound_at", "-id").first())
    if live is not None:
        return ReplyTarget(Channel.CHAT, live.thread_key, live)
    if latest is not None and latest[0] != Channel.CHAT:
        return None  # the resident wrote on another channel since: answer there
    if latest is None:
        address = reply_address(case)
        return ReplyTarget(Channel.EMAIL, address) if address else ReplyTarget(Channel.WEB)
    _, identity_id, kind, value = latest
    if kind == IdentityKind.PHONE:
        return ReplyTarget(Channel.SMS, value, _latest_conversation(Channel.SMS, identity_id, case))
    if kind == IdentityKind.EMAIL:
        return ReplyTarget(Channel.EMAIL, value)
    return ReplyTarget(Channel.WEB)


def reply_channel(case: Case) -> str:
    """The channel the next reply on the case goes out on (shown next to the reply form)."""
    return reply_target(case).channel


def reply_identities(case: Case) -> list[Identity]:
    """The contact's identities an agent may send a reply to instead of the latest conversation."""
    if case.contact_id is None:
        return []
    kinds = [kind.value for kind in CHANNEL_OF_IDENTITY]
    return list(Identity.objects.filter(contact_id=case.contact_id, kind__in=kinds).order_by("kind", "value"))


def resident_identity(case: Case, raw: str) -> Identity | None:
    """The identity of the case's contact that a typed address, number or handle stands for, if it is theirs."""
    for identity in reply_identities(case):
        try:
            if normalize_identity(identity.kind, raw) == identity.value:
                return identity
        except InvalidIdentity:
            continue
    return None


def _latest_conversation(channel: str, identity_id: int | None, case: Case | None = None) -> Conversation | None:
    """The identity's latest conversation on the channel, this case's first: one resident may have a private and
    a public conversation on one network (an Instagram DM and a comment), and a reply must stay in its own."""
    if identity_id is None:
        return None
    found = Conversation.objects.filter(channel=channel, identity_id=identity_id).order_by("-last_inbound_at", "-id")
    return (found.filter(case=case).first() if case is not None else None) or found.first()


def _send(case: Case, target: ReplyTarget, kind: str, *, author: Any = None, automatic: bool = False,
          public: bool = False, files: Sequence[OutboundAttachment] = (), **context: Any) -> Message:
    rendered = render(target.channel, case, kind, **context)
    is_email = target.channel == Channel.EMAIL
    message = case_actions.add_outbound_message(
        case, channel=target.channel, text=rendered.text, subject=rendered.subject, recipient=target.to,
        email_message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN) if is_email else "",
        author=author, automatic=automatic, public=public,
    )
    case_actions.attach_files(message, files)  # before commit, so the delivery job finds them
    return message


def carries_files(target: ReplyTarget, *, public: bool) -> bool:
    """Whether files can go with a reply: a private one, to an address, on a channel whose configured adapter says
    it sends attachments (email does; public updates and the status page carry none). A platform's published
    limits (capabilities.FALLBACK) are not enough: the adapter that would send the files must exist."""
    caps = declared_capabilities(target.channel)
    return bool(caps and caps.attachments and not caps.publishes and not public and target.to)


@transaction.atomic
def reply(case: Case, *, author: Any, text: str, public: bool = False, identity: Identity | None = None,
          files: Sequence[OutboundAttachment] = ()) -> Message:
    """Reply to the resident on the conversation they last used; public=True makes it a public update.

    A private reply is seen by the resident alone (and on their verified status page). A public update is also
    shown on the status page, the map and Open311, and goes by email to every follower of the case.
    `identity` (one of the case contact's) sends it there instead. `files` go with a private reply on a channel
    that carries them (carries_files); otherwise ValueError. A merged-away case is refused (CaseRefused).
    """
    case_actions.refuse_if_merged(case)
    target = reply_target(case, identity)
    refused = target_refusal(target)
    if refused:
        raise OptedOut(refused)
    if files and not carries_files(target, public=public):
        raise ValueError(gettext("Files can only go with a private reply by email, not with this reply."))
    message = _send(case, target, ReplyKind.REPLY, author=author, public=public, text=text, files=files)
    if public:
        send_to_followers(case, message)
    case_actions.note_reply(case, message)
    return message


def target_refusal(target: ReplyTarget) -> str:
    """Why a reply to this target would break the resident's opt-out ("" when it may go): shown in the composer."""
    if not target.to:
        return ""
    account_id = target.conversation.account_id if target.conversation is not None else None
    return refusal(target.channel, target.to, account_id)


def notify(case: Case, text: str) -> Message:
    """An automatic notice to the resident (a partner's update on a forwarded case); the caller holds the
    transaction."""
    return _send(case, reply_target(case), ReplyKind.REPLY, automatic=True, text=text)


def acknowledge(case: Case, *, received: Message | None = None, conversation: Conversation | None = None,
                new_sender: bool = False) -> Message | None:
    """The automatic confirmation of a new case, on every channel that can carry it: the resident's email, or the
    SMS, social or chat conversation they wrote from. Portal and Open311 residents without an email address already
    saw their number on the confirmation page or in the API response, so nothing is published for them. A public
    conversation (a comment or mention on social media) gets no automatic reply where a reply there is public (a post
    under every comment, naming the case; on YouTube it costs quota too): an agent answers it. Meta acknowledges a
    comment with a private reply (Messenger), so it is acknowledged there.

    The inbound pipeline passes the message that made the case and its conversation, which are what reply_target
    would read back (see received_target), and whether the sender's identity was added for that message: then no
    opt-out can name it yet, and none is looked up."""
    received_at = received_target(case, received, conversation)
    target = received_at or reply_target(case)
    if not target.to or capabilities(target.channel).publishes:
        return None
    if not (received_at is not None and new_sender) and target_refusal(target):
        return None
    if (target.conversation is not None and target.conversation.visibility == Visibility.PUBLIC
            and target.channel not in PRIVATE_ACKNOWLEDGEMENT):
        return None
    return _send(case, target, ReplyKind.ACKNOWLEDGEMENT, automatic=True)
