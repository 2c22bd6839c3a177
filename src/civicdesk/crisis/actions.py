"""Incidents and broadcasts, the only code that writes them: declare, publish an update, broadcast, end (each
record names who did it: declared_by, published_by, created_by, ended_by).

start_broadcast() writes every subscriber's delivery row in the broadcast's one transaction (one INSERT ...
SELECT: 100,000 rows in about a second) and, on commit, wakes the sending lanes; the lanes (crisis.sending) do the
throttled sending.
"""

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from civicdesk.core.jobs import enqueue_on_commit
from civicdesk.crisis import queries
from civicdesk.crisis.models import (
    AlertChannel,
    Broadcast,
    BroadcastDelivery,
    BroadcastPost,
    DeliveryStatus,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    PostStatus,
    Subscription,
)

SEND_LANE = "civicdesk.crisis.tasks.send_lane"
POST_BROADCAST = "civicdesk.crisis.tasks.post_broadcast"
LANE_QUEUES = {AlertChannel.SMS: "alerts_sms", AlertChannel.EMAIL: "alerts_email"}
NO_NUMBER = "No SMS number is connected to send alerts from."


def _slug(title: str) -> str:
    base = slugify(title)[:60] or "incident"
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def declare(*, title_en: str, title_es: str, summary_en: str, summary_es: str, areas: Iterable[Any] = (),
            whole_city: bool = False, agency: Any = None, actor: Any = None, source: str | None = None) -> Incident:
    """Declare an incident: from now its banner is on every portal page. No areas means the whole city."""
    chosen = list(areas)
    incident = Incident.objects.create(
        slug=_slug(title_en), title_en=title_en.strip(), title_es=title_es.strip(), summary_en=summary_en.strip(),
        summary_es=summary_es.strip(), agency=agency, whole_city=whole_city or not chosen,
        declared_at=timezone.now(), declared_by=actor if getattr(actor, "is_authenticated", False) else None,
        source=source or None)
    if chosen and not incident.whole_city:
        incident.areas.set(chosen)
    return incident


@transaction.atomic
def publish_update(incident: Incident, *, text_en: str, text_es: str, actor: Any = None) -> IncidentUpdate:
    """An official update on the incident's page, timestamped and signed by the staff member who posted it."""
    return IncidentUpdate.objects.create(
        incident=incident, text_en=text_en.strip(), text_es=text_es.strip(), published_at=timezone.now(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None)


@transaction.atomic
def end(incident: Incident, *, actor: Any = None) -> bool:
    """End the incident: the banner goes; its page stays, marked ended. False when it had already ended."""
    changed = Incident.objects.filter(pk=incident.pk, status=IncidentStatus.ACTIVE).update(
        status=IncidentStatus.ENDED, ended_at=timezone.now(),
        ended_by=actor if getattr(actor, "is_authenticated", False) else None)
    incident.refresh_from_db()
    return bool(changed)


@transaction.atomic
def start_broadcast(incident: Incident, *, text_en: str, text_es: str, sms_en: str, sms_es: str,
                    actor: Any = None) -> Broadcast:
    """Publish the message on the incident's page (and so its banner), write one delivery row per subscriber of
    the incident's areas (one per address), a post row per connected social account, and wake the lanes."""
    now = timezone.now()
    update = IncidentUpdate.objects.create(
        incident=incident, text_en=text_en.strip(), text_es=text_es.strip(), published_at=now,
        published_by=actor if getattr(actor, "is_authenticated", False) else None)
    found = queries.estimate(incident, sms_en, sms_es)
    broadcast = Broadcast.objects.create(
        incident=incident, text_en=text_en.strip(), text_es=text_es.strip(), sms_en=sms_en.strip(),
        sms_es=sms_es.strip(), update=update, created_at=now, estimate_seconds=round(found.seconds),
        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    default = queries.alert_sms_account()
    channels = queue_deliveries(broadcast, queries.recipients(incident), default.pk if default else None)
    posts = []
    for account in found.social:
        posts.append(BroadcastPost(broadcast=broadcast, account=account, updated_at=now))
    BroadcastPost.objects.bulk_create(posts)
    Broadcast.objects.filter(pk=broadcast.pk).update(queued_at=timezone.now())
    for channel in channels:
        enqueue_on_commit(SEND_LANE, channel, queue_name=LANE_QUEUES[AlertChannel(channel)])
    if posts:
        enqueue_on_commit(POST_BROADCAST, broadcast.pk, queue_name="social")
    return broadcast


def queue_deliveries(broadcast: Broadcast, recipients: QuerySet[Subscription], default_account: int | None) -> set[str]:
    """One delivery row per recipient, written by one INSERT ... SELECT (no row passes through Python: 100,000
    in a second or two); an SMS subscriber with no number to text from is recorded as failed at once (the progress
    page says so). Returns the channels that have rows to send."""
    table = BroadcastDelivery._meta.db_table
    named = recipients.annotate(sid=F("pk"), ch=F("channel"), acc=F("account_id")).values("sid", "ch", "acc")
    inner, params = named.query.sql_with_params()
    sender = "CASE WHEN q.ch = %s THEN COALESCE(q.acc, %s) END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (broadcast_id, subscription_id, channel, account_id, status, attempts, sent_at, "
            f"provider_id, error) SELECT %s, q.sid, q.ch, {sender}, "
            f"CASE WHEN q.ch = %s AND {sender} IS NULL THEN %s ELSE %s END, 0, NULL, '', "
            f"CASE WHEN q.ch = %s AND {sender} IS NULL THEN %s ELSE '' END FROM ({inner}) q",
            [broadcast.pk, AlertChannel.SMS, default_account,
             AlertChannel.SMS, AlertChannel.SMS, default_account, DeliveryStatus.FAILED, DeliveryStatus.QUEUED,
             AlertChannel.SMS, AlertChannel.SMS, default_account, NO_NUMBER, *params])
    queued = BroadcastDelivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.QUEUED)
    return {channel for channel in AlertChannel if queued.filter(channel=channel).exists()}


def mark_post(post: BroadcastPost, status: str, *, provider_id: str = "", error: str = "") -> None:
    BroadcastPost.objects.filter(pk=post.pk).update(status=status, provider_id=provider_id[:300],
                                                    error=error[:500], updated_at=timezone.now())


def not_supported(post: BroadcastPost, reason: str) -> None:
    mark_post(post, PostStatus.NOT_SUPPORTED, error=reason)
