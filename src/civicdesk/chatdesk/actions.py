"""Writes of live chat on the staff side: an agent's availability (one transaction each)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from civicdesk.chatdesk.models import ChatAvailability
from civicdesk.notifications.actions import note_presence


@transaction.atomic
def set_chat_availability(user: Any, *, available: bool) -> ChatAvailability:
    """The agent takes chats (or stops): their own switch; their desk counts as open from now."""
    row, _ = ChatAvailability.objects.update_or_create(
        user_id=user.pk, defaults={"available": available, "changed_at": timezone.now()})
    if available:
        transaction.on_commit(lambda: note_presence(user.pk))
    return row
