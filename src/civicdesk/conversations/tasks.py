"""Background jobs of the conversation layer: processing inbound payloads and delivering outbound messages."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from civicdesk.cases.models import DeliveryStatus, Message
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.protocol import PermanentSendError, get_adapter
from civicdesk.conversations import pipeline
from civicdesk.conversations.delivery import mark_delivery_failed

log = logging.getLogger(__name__)


@task(queue_name="default")
def process_payload(payload_id: int) -> None:
    payload = InboundPayload.objects.filter(pk=payload_id).first()
    if payload is not None:
        pipeline.process(payload)


def backoff(attempt: int) -> timedelta:
    """Exponential: base, 2x, 4x ... capped at one hour."""
    return timedelta(seconds=min(3600, settings.OUTBOUND_BACKOFF_SECONDS * 2 ** max(0, attempt - 1)))


@task(queue_name="outbound")
def deliver_message(message_id: int) -> None:
    with transaction.atomic():
        locked = Message.objects.select_for_update(of=("self",)).select_related("case", "contact")
        message = locked.filter(pk=message_id).first()
        if message is None or message.delivery_status in (DeliveryStatus.SENT, DeliveryStatus.PUBLISHED,
                                                          DeliveryStatus.FAILED):
            return
        message.attempts += 1
        message.delivery_status = DeliveryStatus.SENDING
        message.save(update_fields=["attempts", "delivery_status"])
    try:
        provider_id = get_adapter(message.channel).send(message)
    except PermanentSendError as exc:
        mark_delivery_failed(message, str(exc))
        return
    except Exception as exc:  # network, provider outage: retry with backoff
        log.warning("Delivery of message %s failed (attempt %s): %s", message.pk, message.attempts,
                    type(exc).__name__)
        if message.attempts >= settings.OUTBOUND_MAX_ATTEMPTS:
            mark_delivery_failed(message, f"{type(exc).__name__}: {exc}")
            return
        retry_at = timezone.now() + backoff(message.attempts)
        Message.objects.filter(pk=message.pk).update(
            delivery_status=DeliveryStatus.RETRYING, last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=retry_at,
        )
        schedule_retry(message.pk, retry_at)
        return
    done = DeliveryStatus.PUBLISHED if message.channel == "web" else DeliveryStatus.SENT
    Message.objects.filter(pk=message.pk).update(
        delivery_status=done, provider_message_id=(provider_id or message.provider_message_id)[:300],
        last_error="", next_attempt_at=None,
    )


def schedule_retry(message_id: int, retry_at: datetime) -> None:
    """Enqueue the next attempt; a backend that cannot defer (the immediate one in tests) gets no retry."""
    if deliver_message.get_backend().supports_defer:
        deliver_message.using(run_after=retry_at).enqueue(message_id)


@task(queue_name="default")
def recover_stalled(older_than_seconds: int = 120) -> int:
    """Re-enqueue work a dead worker left behind: unprocessed payloads and undelivered messages.

    Both jobs are idempotent (a payload is applied in one transaction and deduplicated on its provider id;
    a delivered message is never sent again), so enqueueing twice is harmless.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    payload_ids = list(InboundPayload.objects.filter(status=PayloadStatus.RECEIVED, received_at__lt=cutoff)
                       .values_list("pk", flat=True)[:500])
    for payload_id in payload_ids:
        process_payload.enqueue(payload_id)
    stuck = Message.objects.filter(
        delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING], created_at__lt=cutoff
    ).values_list("pk", flat=True)[:500]
    due = Message.objects.filter(delivery_status=DeliveryStatus.RETRYING, next_attempt_at__lt=cutoff
                                 ).values_list("pk", flat=True)[:500]
    message_ids = [*stuck, *due]
    for message_id in message_ids:
        deliver_message.enqueue(message_id)
    return len(payload_ids) + len(message_ids)
