"""Replies written outside the chat (the case page's composer, automatic notices) reach a live chat's screen too."""

from django.db import transaction
from django.utils import timezone

from civicdesk.cases.events import MessageAdded
from civicdesk.cases.models import Direction
from civicdesk.channels.models import Channel
from civicdesk.chat.models import ChatEvent, ChatSession, ChatStatus, EventKind


def on_message_added(event: MessageAdded) -> None:
    """An outbound chat message not written by chat.actions (whose ids start "chat:") becomes the live session's
    next event, in the same transaction; the delivery job then only marks it sent."""
    message = event.message
    if message.channel != Channel.CHAT or message.direction != Direction.OUTBOUND or message.case_id is None:
        return
    if message.provider_message_id.startswith("chat:"):
        return  # chat.actions wrote its own event
    with transaction.atomic():
        session = (ChatSession.objects.select_for_update(of=("self",))
                   .filter(case_id=message.case_id, status=ChatStatus.ACTIVE).order_by("-pk").first())
        if session is None:
            return
        seq = session.last_seq + 1
        ChatSession.objects.filter(pk=session.pk).update(last_seq=seq, last_message_at=timezone.now())
        ChatEvent.objects.create(session=session, seq=seq, kind=EventKind.MESSAGE, message=message,
                                 created_at=timezone.now())
