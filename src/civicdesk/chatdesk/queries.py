"""Read-only lookups of live chat on the staff side: who is taking chats now."""

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from civicdesk.agencies.queries import available_staff
from civicdesk.chatdesk.models import ChatAvailability
from civicdesk.notifications.models import DeskPresence

# An open staff page checks in (notifications.actions.note_presence) at least once a minute per process; a desk
# not heard from for this long is closed, and its agent no longer counts as taking chats.
DESK_OPEN_SECONDS = 150


def _desk_open() -> Exists:
    since = timezone.now() - timedelta(seconds=DESK_OPEN_SECONDS)
    return Exists(DeskPresence.objects.filter(user_id=OuterRef("pk"), last_seen_at__gte=since))


def chat_agents(agency_id: int) -> QuerySet[Any]:
    """The agency's active staff, not away today, who said they take chats and have the desk open now."""
    return available_staff(agency_id).filter(chat_availability__available=True).filter(_desk_open())


def agency_takes_chats(agency_id: int) -> bool:
    """Whether anyone of the agency can answer a chat now (the widget offers a message instead when not)."""
    return chat_agents(agency_id).exists()


def is_taking_chats(user: Any) -> bool:
    """The user's own switch (what the desk shows them), whatever their desk's presence."""
    return ChatAvailability.objects.filter(user_id=user.pk, available=True).exists()
