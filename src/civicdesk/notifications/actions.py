"""Every write of notifications: made from case events, read marks, settings, desk presence and email progress."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from civicdesk.cases.events import CaseAssigned, MessageAdded
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.core.jobs import SEND_NOTIFICATION_EMAIL, enqueue_on_commit
from civicdesk.notifications import mentions, queries
from civicdesk.notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    DeskPresence,
    EmailState,
    Notification,
    NotificationKind,
    NotificationSetting,
)

log = logging.getLogger(__name__)
PRESENCE_WRITE_SECONDS = 60  # a process writes a user's last-seen time at most this often
EMAILED = (Delivery.AWAY, Delivery.ALWAYS)


def on_case_assigned(event: CaseAssigned) -> None:
    """The new assignee hears of it, unless they assigned the case to themself."""
    actor_id, assignee_id = getattr(event.actor, "pk", None), event.assignee_id
    if assignee_id is None or assignee_id == event.previous_id or assignee_id == actor_id:
        return
    at = event.case.updated_at.timestamp()
    key = f"assigned:{event.audit_id}" if event.audit_id else f"assigned:{event.case.pk}:{at}"
    _safely(event, lambda: notify(assignee_id, NotificationKind.ASSIGNED, event.case, key=key, actor_id=actor_id))


def on_message_added(event: MessageAdded) -> None:
    """A resident's message tells the case's assignee; a note tells the staff it mentions (who may see the case)."""
    message = event.message
    if message.direction == Direction.INBOUND and event.case.assignee_id is not None:
        assignee_id = event.case.assignee_id
        _safely(event, lambda: notify(assignee_id, NotificationKind.REPLY, event.case, key=f"message:{message.pk}",
                                      message=message))
    elif message.direction == Direction.NOTE and "@" in message.body_text:
        _safely(event, lambda: notify_mentions(event.case, message))


def notify_mentions(case: Case, note: Message) -> list[Notification]:
    made = []
    for user in queries.mentioned_staff(mentions.handles(note.body_text), case):
        if user.pk != note.author_id:
            notification = notify(user.pk, NotificationKind.MENTION, case, key=f"mention:{note.pk}",
                                  actor_id=note.author_id, message=note)
            if notification is not None:
                made.append(notification)
    return made


def _safely(event: CaseAssigned | MessageAdded, effect: Callable[[], Any]) -> None:
    """Notifying never breaks the write that caused it (an inbound message is stored either way): a savepoint."""
    try:
        with transaction.atomic():
            effect()
    except Exception:
        log.exception("Notifications of a %s event on case %s could not be made", type(event).__name__,
                      event.case.pk)


def notify(recipient_id: int, kind: str, case: Case, *, key: str, actor_id: int | None = None,
           message: Message | None = None) -> Notification | None:
    """One notification per recipient and event (`key`), as the recipient's setting for the kind says; its email
    is queued on commit. None when the setting is off, the recipient inactive, or the event was already notified."""
    if not queries.active_staff().filter(pk=recipient_id).exists():
        return None
    delivery = queries.delivery_for(recipient_id, kind)
    if delivery == Delivery.OFF:
        return None
    notification, created = Notification.objects.get_or_create(recipient_id=recipient_id, key=key[:100], defaults={
        "kind": kind, "case": case, "actor_id": actor_id, "message": message, "created_at": timezone.now(),
        "delivery": delivery, "email_state": EmailState.PENDING if delivery in EMAILED else EmailState.NONE})
    if not created:
        return None
    if notification.email_state == EmailState.PENDING:
        enqueue_on_commit(SEND_NOTIFICATION_EMAIL, notification.pk)
    return notification


def notify_many(wanted: list[tuple[int, str, Case, str]]) -> int:
    """notify() for many (recipient_id, kind, case, key) at once, in a few queries whatever their number (the SLA
    sweep's breaches): the same settings, once per recipient and key; the number made."""
    if not wanted:
        return 0
    active = set(queries.active_staff().filter(pk__in={w[0] for w in wanted}).values_list("pk", flat=True))
    chosen = {(user, kind): delivery for user, kind, delivery in NotificationSetting.objects.filter(
        user_id__in=active, kind__in={w[1] for w in wanted}).values_list("user_id", "kind", "delivery")}
    now = timezone.now()
    rows = []
    for recipient_id, kind, case, key in wanted:
        delivery = chosen.get((recipient_id, kind), DEFAULT_DELIVERY)
        if recipient_id in active and delivery != Delivery.OFF:
            rows.append(Notification(recipient_id=recipient_id, kind=kind, case=case, key=key[:100], created_at=now,
                                     delivery=delivery,
                                     email_state=EmailState.PENDING if delivery in EMAILED else EmailState.NONE))
    if not rows:
        return 0
    existing = set(Notification.objects.filter(key__in={r.key for r in rows}).values_list("recipient_id", "key"))
    rows = [r for r in rows if (r.recipient_id, r.key) not in existing]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    for pk in Notification.objects.filter(key__in={r.key for r in rows}, created_at=now,
                                          email_state=EmailState.PENDING).values_list("pk", flat=True):
        enqueue_on_commit(SEND_NOTIFICATION_EMAIL, pk)
    return len(rows)


def mark_read(user: Any, notification_id: int) -> bool:
    return bool(Notification.objects.filter(recipient_id=user.pk, pk=notification_id, read_at__isnull=True)
                .update(read_at=timezone.now()))


def mark_all_read(user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def save_settings(user: Any, choices: dict[str, str]) -> None:
    """The user's delivery for each kind named in `choices` (unknown kinds or deliveries raise ValueError)."""
    for kind, delivery in choices.items():
        if kind not in NotificationKind.values or delivery not in Delivery.values:
            raise ValueError(f"Unknown notification setting {kind}={delivery}.")
        NotificationSetting.objects.update_or_create(user_id=user.pk, kind=kind, defaults={"delivery": delivery})


def note_presence(user_id: Any) -> bool:
    """The user has the desk open now: their last-seen time, written at most once a minute per process (a
    local-cache mark says when it was) and shared by every process through the database. True when written."""
    local = caches["local"]
    mark = f"notifications:present:{user_id}"
    if local.get(mark):
        return False
    now = timezone.now()
    try:
        if not DeskPresence.objects.filter(user_id=user_id).update(last_seen_at=now):
            try:
                with transaction.atomic():
                    DeskPresence.objects.create(user_id=user_id, last_seen_at=now)
            except IntegrityError:  # another process made it at the same moment
                DeskPresence.objects.filter(user_id=user_id).update(last_seen_at=now)
    except OperationalError:  # a busy database: bookkeeping skips this beat, the page still gets its count
        return False
    local.set(mark, True, PRESENCE_WRITE_SECONDS)
    return True


def claim_email(notification_id: int) -> Notification | None:
    """Take a pending email for sending: one conditional update, so a repeated or concurrent job sends nothing."""
    claimed = Notification.objects.filter(pk=notification_id, email_state=EmailState.PENDING).update(
        email_state=EmailState.SENDING, email_attempts=F("email_attempts") + 1)
    if not claimed:
        return None
    return Notification.objects.select_related("recipient", "actor", "case", "case__service").get(pk=notification_id)


def finish_email(notification: Notification, state: str) -> None:
    emailed = timezone.now() if state in (EmailState.SENT, EmailState.CAPTURED) else None
    Notification.objects.filter(pk=notification.pk, email_state=EmailState.SENDING).update(email_state=state,
                                                                                          emailed_at=emailed)


def email_attempt_failed(notification: Notification) -> datetime | None:
    """A temporary failure: pending again with the time of the next attempt, or failed after the last one."""
    if notification.email_attempts >= settings.OUTBOUND_MAX_ATTEMPTS:
        finish_email(notification, EmailState.FAILED)
        return None
    Notification.objects.filter(pk=notification.pk, email_state=EmailState.SENDING).update(
        email_state=EmailState.PENDING)
    delay = min(settings.OUTBOUND_BACKOFF_SECONDS * 2 ** (notification.email_attempts - 1),
                settings.OUTBOUND_BACKOFF_MAX_SECONDS)
    return timezone.now() + timedelta(seconds=delay)


def heartbeat_headers(sender: Any, user: Any, **kwargs: Any) -> dict[str, str]:
    """A case page's presence heartbeat (inbox.presence.heartbeat) counts as being at the desk and carries the bell's
    count: a tab with its event stream open then needs no bell poll of its own (inbox/static/inbox/live.js)."""
    note_presence(user.pk)
    return {"X-CD-Unread": str(queries.unread_count(user))}
