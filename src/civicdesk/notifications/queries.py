"""Read-only lookups of notifications: a user's list and unread count (within their case scope), settings, presence."""

from datetime import timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.cases.permissions import visible_cases
from civicdesk.notifications.models import (
    DEFAULT_DELIVERY,
    DeskPresence,
    Notification,
    NotificationKind,
    NotificationSetting,
)

User = get_user_model()


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's notifications about cases they may still see (a case transferred away drops out), newest first."""
    mine = Notification.objects.filter(recipient_id=user.pk)
    return mine.filter(Exists(visible_cases(user, Case.objects.filter(pk=OuterRef("case_id")))))


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def listing(user: Any) -> QuerySet[Notification]:
    return notifications_of(user).select_related("case", "case__service", "actor").order_by("-created_at", "-id")


def deliveries(user_id: Any) -> dict[str, str]:
    """The user's choice for every kind (the default where they chose nothing)."""
    chosen = dict(NotificationSetting.objects.filter(user_id=user_id).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY) for kind in NotificationKind.values}


def delivery_for(user_id: int, kind: str) -> str:
    chosen = NotificationSetting.objects.filter(user_id=user_id, kind=kind).values_list("delivery", flat=True).first()
    return chosen or DEFAULT_DELIVERY


def away_after() -> timedelta:
    return timedelta(minutes=settings.NOTIFY_AWAY_AFTER_MINUTES)


def is_away(user_id: int) -> bool:
    """No desk activity (an open staff page checks in while it is open) for NOTIFY_AWAY_AFTER_MINUTES."""
    return not DeskPresence.objects.filter(user_id=user_id, last_seen_at__gte=timezone.now() - away_after()).exists()


def active_staff() -> QuerySet[Any]:
    return User.objects.filter(is_active=True).filter(Q(staff__isnull=False) | Q(is_superuser=True))


def staff_handles() -> dict[str, int]:
    """Every active staff member's username, lower-cased, with their id (for showing mentions as links)."""
    return {username.lower(): pk for pk, username in active_staff().values_list("pk", "username")}


def mentioned_staff(handles: list[str], case: Case) -> list[Any]:
    """The active staff these handles name who may see the case; unknown handles and everyone else drop out."""
    if not handles:
        return []
    named = active_staff().filter(reduce(or_, (Q(username__iexact=handle) for handle in handles)))
    return [user for user in named.select_related("staff") if visible_cases(user).filter(pk=case.pk).exists()]
