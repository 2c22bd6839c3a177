"""Applying a part of a phone call's voicemail: the first part makes the call's one message (in the caller's
conversation, so their texts and calls share a case); every part then adds itself to that message once."""

import hashlib

from django.db import IntegrityError, transaction

from civicdesk.agencies.models import Service
from civicdesk.cases.models import Direction, Message
from civicdesk.cases.routing import Route
from civicdesk.channels.events import CallPart
from civicdesk.channels.models import Channel
from civicdesk.conversations.inbound import apply_message
from civicdesk.telephony.actions import add_call_part


def call_hash(call_message_id: str) -> str:
    """Every part of a call stores its message under one content hash: two parts racing to make the message
    collide on the unique index (one transaction rolls back and its job runs again), never make two."""
    return hashlib.sha256(call_message_id.encode()).hexdigest()


def call_message(call_message_id: str) -> Message | None:
    return (Message.objects.select_related("case").filter(
        channel=Channel.PHONE, direction=Direction.INBOUND, provider_message_id=call_message_id[:300],
        content_hash=call_hash(call_message_id)).first())


def apply_call_part(part: CallPart, *, service: Service | None, route: Route | None) -> tuple[Message, bool] | None:
    """The call's message with this part added, and whether a case was made for it; None when the part cannot
    make the message (a recording status callback, which does not name the caller, before the call's message
    exists): the event is then not claimed, so a later replay can apply it."""
    event = part.message
    message = call_message(event.provider_message_id)
    created = False
    if message is None:
        if event.sender is None:
            return None
        try:
            with transaction.atomic():
                done = apply_message(event, service=service, route=route,
                                     content_hash=call_hash(event.provider_message_id))
            message, created = done.message, done.created_case
        except IntegrityError:  # another part of the call made the message a moment ago (PostgreSQL): add to it
            message = call_message(event.provider_message_id)
            if message is None:
                raise
    add_call_part(message, part)
    return message, created
