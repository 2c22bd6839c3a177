"""Applying one inbound message: dedupe, resolve the contact, thread or create (routed), store it and its files."""

from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Service
from civicdesk.cases import actions as case_actions
from civicdesk.cases.events import MessageAdded, publish
from civicdesk.cases.models import Attachment, Case, DeliveryStatus, Direction, Message
from civicdesk.cases.routing import Route, RoutingInput, choose_route
from civicdesk.channels.events import InboundMessage
from civicdesk.channels.models import Channel
from civicdesk.channels.queries import agency_slug_of_account
from civicdesk.contacts.actions import note_identity_display, resolve_sender
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Contact, Identity
from civicdesk.contacts.queries import identity_for
from civicdesk.conversations import actions as conversation_actions
from civicdesk.conversations import threading
from civicdesk.conversations.entitlement import MENTION_TAG
from civicdesk.conversations.media import note_remote_media
from civicdesk.conversations.models import Conversation
from civicdesk.core import prefetch

REUSED_ID_TAG = "reused-message-id"


@dataclass
class MessageOutcome:
    message: Message
    duplicate: bool = False
    created_case: bool = False
    conversation: Conversation | None = None  # the conversation it arrived on (None: a portal form, a mail thread)
    new_sender: bool = False  # its sender's identity was added for it (no opt-out can name it yet)


def apply_message(message: InboundMessage, *, service: Service | None, route: Route | None, content_hash: str,
                  reuses_provider_id: bool = False) -> MessageOutcome:
    """Step 3 to 6 for one message, inside the caller's transaction. `service` and `route` were looked up by
    prepare() before it; `content_hash` tells a reused provider id from a repeat of the same message."""
    existing = already_applied(message, content_hash)
    if existing:
        return MessageOutcome(existing, duplicate=True)
    identities = [(i.kind, i.value) for i in [message.sender, *message.extra_identities] if i]
    contact: Contact | None = None
    stored_identities: dict[tuple[str, str], Identity] = {}
    added: set[tuple[str, str]] = set()
    if identities:
        contact, stored_identities, added = resolve_sender(identities, display_name=message.contact_name,
                                                           kind=message.contact_kind, language=message.language)
    for named in (i for i in [message.sender, *message.extra_identities] if i and i.display_name):
        note_identity_display(named.kind, named.value, named.display_name,  # social handles only
                              known=stored_identities)
    thread = threading.decide(message, contact.pk if contact else None)
    case, closed, mentioned = thread.case, thread.follow_up_of, thread.mentioned
    created = case is None
    if case is None:
        case = _new_case(message, contact, closed, service=service, route=route)
        if mentioned is not None:
            case_actions.link_mention(case, mentioned, tag=MENTION_TAG)
    else:
        case_actions.reopen_if_finished(case)
    sender = sender_identity(message, stored_identities)
    stored = Message.objects.create(
        case=case, direction=Direction.INBOUND, channel=message.channel, is_public=False, contact=contact,
        sender_identity=sender,
        subject=message.subject[:300], body_text=message.body_text, body_html=message.body_html,
        visible_text=message.visible_text or message.body_text,
        provider_message_id=message.provider_message_id[:300], content_hash=content_hash,
        email_message_id=message.email_message_id[:300], recipient=message.recipient[:320],
        delivery_status=DeliveryStatus.RECEIVED, created_at=timezone.now(),
    )
    for item in message.attachments:
        if item.url and not item.content:
            continue  # a provider's media URL (MMS): fetched by a job after commit (conversations.media)
        Attachment.objects.create(
            message=stored, file=ContentFile(item.content, name=item.filename or "attachment"),
            filename=item.filename[:255] or "attachment", content_type=item.content_type[:120],
            size=len(item.content), content_id=item.content_id[:255], is_public=item.is_public,
        )
    note_remote_media(stored, message.attachments, message.account_id)
    conversation = conversation_actions.record_inbound(message, thread.conversation, case=case,
                                                      contact_id=stored.contact_id,
                                                      identity_id=stored.sender_identity_id, at=stored.created_at)
    if reuses_provider_id:
        flag_reused_id(case, message.provider_message_id)
    publish(MessageAdded(case, stored))
    return MessageOutcome(stored, created_case=created, conversation=conversation,
                          new_sender=sender is not None and (sender.kind, sender.value) in added)


def sender_identity(message: InboundMessage, stored: dict[tuple[str, str], Identity]) -> Identity | None:
    """The stored identity of the message's sender: the one resolving the contact found or added, else read."""
    if not message.sender:
        return None
    try:
        found = stored.get((message.sender.kind, normalize_identity(message.sender.kind, message.sender.value)))
    except InvalidIdentity:
        return None
    return found if found is not None else identity_for(message.sender.kind, message.sender.value)


# Channels whose messages have no subject: a new case from one takes the text's first words as its subject.
SUBJECTLESS = frozenset({Channel.SMS, Channel.CHAT, Channel.FACEBOOK, Channel.INSTAGRAM, Channel.X, Channel.MASTODON,
                         Channel.BLUESKY, Channel.YOUTUBE})


def account_or_named_agency(message: InboundMessage) -> str:
    """The agency a message names, else its account's."""
    if message.agency_slug or message.account_id is None:
        return message.agency_slug
    return agency_slug_of_account(message.account_id)


def subject_from_text(text: str, limit: int = 80) -> str:
    """A case's subject for a channel without subjects (SMS, chat, social media): its first words, cut at a word."""
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(" ,.;:") + "…"


def _new_case(message: InboundMessage, contact: Any, closed: Case | None, *, service: Service | None,
              route: Route | None) -> Case:
    """Step 5 for a message that continues no open case: route it (or follow the closed case it is about)."""
    if closed is not None and service is None:  # a follow-up goes where the closed case was handled
        service = closed.service
        route = Route(closed.agency, None, f"Follow-up of closed case {closed.number}",
                      {"router": "follow_up", "case": closed.number})
    elif route is None:  # prepare() found no agency then; one may exist now (or this raises LookupError again)
        route = choose_route(RoutingInput(service=service, agency_slug=account_or_named_agency(message),
                                          lat=message.lat, lon=message.lon))
    case = case_actions.create_case(
        channel=message.channel, route=route, service=service, contact=contact,
        subject=message.subject or (subject_from_text(message.visible_text or message.body_text)
                                    if message.channel in SUBJECTLESS else ""),
        description=message.visible_text or message.body_text,
        attributes=message.attributes, address=message.address, lat=message.lat, lon=message.lon,
        source_app=message.source_app,
    )
    if closed is not None:
        case_actions.link_follow_up(case, closed)
    return case


def flag_reused_id(case: Case, provider_message_id: str) -> None:
    """Staff see on the case that its message shares an id with an earlier, different one (both were kept)."""
    reason = gettext("This message reuses the id %(id)s of an earlier message with different content; both were "
                     "kept.") % {"id": provider_message_id[:300]}
    case_actions.flag_case(case, REUSED_ID_TAG, reason=reason, actor_label=case.channel)


def applied_key(message: InboundMessage, content_hash: str) -> tuple[str, str, str]:
    return message.channel, message.provider_message_id[:300], content_hash


def already_applied(message: InboundMessage, content_hash: str) -> Message | None:
    """The message this provider message (with this content) already became, if any (only ids are selected)."""
    if not message.provider_message_id:
        return None
    known = prefetch.take("applied", applied_key(message, content_hash))  # read for the batch worker's group
    if known is None:
        return None
    if known is not prefetch.MISS:
        return Message.objects.select_related("case").get(pk=known)
    found = list(Message.objects.filter(
        channel=message.channel, provider_message_id=message.provider_message_id[:300], direction=Direction.INBOUND,
        content_hash=content_hash,
    ).exclude(provider_message_id="").order_by().values_list("pk", flat=True)[:1])  # the exclude lets SQLite use
    # the partial unique index (its WHERE must appear verbatim); without it this scans every message
    return Message.objects.select_related("case").get(pk=found[0]) if found else None
