"""Background jobs of the conversation layer: processing inbound payloads and delivering outbound messages."""

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.channels import limits
from civicdesk.channels.actions import note_payload, note_send_error
from civicdesk.channels.credentials import DEMO_OUTBOX
from civicdesk.channels.media import MediaRejected
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import CapturedNotSent, PermanentSendError, RateLimited
from civicdesk.channels.queues import DEFAULT_QUEUE, delivery_queue
from civicdesk.channels.registry import AccountConfig, adapter_for_account, get_adapter
from civicdesk.conversations import batch, delivery, delivery_lookahead, intake_priority, media, pipeline
from civicdesk.conversations.consent import message_refusal
from civicdesk.conversations.outbound import outbound_for, sending_account
from civicdesk.core import prefetch
from civicdesk.core.jobs import DELIVER_MESSAGE, FETCH_MESSAGE_MEDIA, can_defer, enqueue, payloads_are_queued

log = logging.getLogger(__name__)



@task(queue_name="inbound")
def process_payload(payload_id: int) -> None:
    payload = InboundPayload.objects.filter(pk=payload_id).first()
    if payload is not None:
        pipeline.process(payload)
        note_payload(payload)


@task(queue_name=DEFAULT_QUEUE)  # enqueued on its channel's provider queue (channels.queues.delivery_queue)
def deliver_message(message_id: int) -> None:
    """One send attempt: sending -> sent/published, retrying with backoff, or failed; every write via delivery. An
    automatic message first yields to inbound intake when it is behind (intake_priority)."""
    intake_priority.hold_automatic([message_id])
    deliver(message_id)


@task(queue_name=DEFAULT_QUEUE)  # as deliver_message; core.jobs.gathered makes these
def deliver_messages(message_ids: list[int]) -> None:
    """deliver_message for each of several messages (the acknowledgements of an inbound batch group): one job to
    claim, and what each send reads that no send changes (its sending account, its attachments) read for all of
    them at once. Whether the resident opted out is still read for each, just before its send. One that fails in
    a way deliver() does not handle is left for recover_stalled, and the others go on. They first yield to inbound
    intake when it is behind (intake_priority)."""
    intake_priority.hold_automatic(message_ids)
    with prefetch.ahead(delivery_lookahead.answers(message_ids)):
        for message_id in message_ids:
            try:
                deliver(message_id)
            except Exception:
                log.exception("Delivery of message %s failed; recover_stalled will try it again", message_id)


def deliver(message_id: int) -> None:
    """deliver_message's body."""
    message = delivery.start_attempt(message_id)
    if message is None:  # sent, failed, unknown, or another worker holds the attempt
        return
    refused = message_refusal(message)
    if refused:  # before any provider call: the reason goes on the case
        delivery.mark_failed(message, refused)
        return
    account = sending_account(message)
    paused = limits.paused_until(account.pk) if account is not None else None
    if paused is not None:  # the account is rate limited: wait without calling the provider or using an attempt
        if delivery.postpone(message, paused, gettext("Waiting for the network's rate limit.")):
            schedule_retry(message, paused)
        return
    adapter = adapter_for_account(account) if account is not None else get_adapter(message.channel)
    outbound: OutboundMessage | None = None
    try:
        config = AccountConfig.of(account) if account is not None else None  # unreadable credentials: retried
        outbound = outbound_for(message, account)
        if config is not None and config.credentials.get(DEMO_OUTBOX):  # the demo city's accounts: nothing leaves
            raise CapturedNotSent(f"demo:{config.id}")
        provider_id = adapter.send(outbound, config)
    except PermanentSendError as exc:
        delivery.mark_failed(message, str(exc))
        note_send_error(message.channel, outbound.sender if outbound else "", str(exc))
        return
    except RateLimited as exc:  # this account pauses; every other account goes on
        until = limits.pause(account.pk, exc.retry_after) if account is not None else (
            timezone.now() + timedelta(seconds=exc.retry_after))
        if delivery.postpone(message, until, gettext("The network asked us to slow down; sending again later.")):
            schedule_retry(message, until)
        return
    except CapturedNotSent as exc:  # no mail server is set: kept in the outbox for staff to read
        delivery.mark_captured(message, exc.reference)
        return
    except Exception as exc:  # network, provider outage: retry with backoff
        log.warning("Delivery of message %s failed (attempt %s): %s", message.pk, message.attempts,
                    type(exc).__name__)
        retry_at = delivery.attempt_failed(message, f"{type(exc).__name__}: {exc}")
        note_send_error(message.channel, outbound.sender if outbound else "", f"{type(exc).__name__}: {exc}")
        if retry_at is not None:
            schedule_retry(message, retry_at)
        return
    if not delivery.mark_sent(message, provider_id, published=adapter.capabilities.publishes):
        log.warning("Delivery of message %s: sent, but its state had moved on", message.pk)


@task(queue_name=media.FETCH_QUEUE)
def fetch_message_media(message_id: int) -> None:
    """Fetch the media an inbound message names by URL (MMS) with its account's credentials and keep them; a
    fetch that fails for now is tried again with backoff, then, like a refused file, shown on the case."""
    retry_at = None
    for item in media.pending_for(message_id):
        try:
            config = media.account_config(item)
            fetch = getattr(adapter_for_account(config), "fetch_media", None) if config is not None else None
            if fetch is None:
                raise MediaRejected(gettext("No account with credentials to fetch it is connected any more."))
            fetched = fetch(item.url, config)
        except MediaRejected as exc:
            media.give_up(item, str(exc))
        except Exception as exc:  # network, a provider outage, unreadable credentials: later
            log.warning("Media %s of message %s not fetched (attempt %s): %s", item.pk, message_id,
                        item.attempts + 1, type(exc).__name__)
            later = media.attempt_failed(item, str(exc) or type(exc).__name__)
            retry_at = min(retry_at, later) if retry_at and later else (later or retry_at)
        else:
            media.keep(item, fetched.content, fetched.content_type)
    if retry_at is not None and can_defer(FETCH_MESSAGE_MEDIA):
        enqueue(FETCH_MESSAGE_MEDIA, message_id, run_after=retry_at, queue_name=media.FETCH_QUEUE)


def enqueue_delivery(message_id: int, channel: str, run_after: datetime | None = None,
                     automatic: bool = False) -> None:
    """deliver_message on the queue of the channel's provider, so a slow provider never stalls the others (an
    automatic message on the background lane)."""
    enqueue(DELIVER_MESSAGE, message_id, run_after=run_after, queue_name=delivery_queue(channel, automatic))


def schedule_retry(message: Message, retry_at: datetime) -> None:
    """Enqueue the next attempt; a backend that cannot defer (the immediate one in tests) gets no retry."""
    if deliver_message.get_backend().supports_defer:
        enqueue_delivery(message.pk, message.channel, run_after=retry_at, automatic=message.is_automatic)


def recover_payloads(cutoff: datetime) -> list[int]:
    """The received payloads whose process_payload job died (with the batch worker on, it owns every received
    payload: claims, retries and quarantines them itself). One that used up its attempts is quarantined, not
    enqueued again: a payload that kills its job each time must not loop forever."""
    stalled = InboundPayload.objects.filter(status=PayloadStatus.RECEIVED, received_at__lt=cutoff)
    for payload in stalled.filter(attempts__gte=batch.MAX_ATTEMPTS)[:100]:
        batch.give_up(payload)
        note_payload(payload)
    return list(stalled.filter(attempts__lt=batch.MAX_ATTEMPTS).values_list("pk", flat=True)[:500])


@task(queue_name="default")
def recover_stalled(older_than_seconds: int = 120) -> int:
    """Re-enqueue work a dead worker left behind: unprocessed payloads and undelivered messages.

    Both jobs are idempotent (a payload is applied in one transaction and deduplicated on its provider id;
    a sent message is never sent again, and one being sent is left alone until its lease runs out), so
    enqueueing twice is harmless.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    payload_ids = [] if payloads_are_queued() else recover_payloads(cutoff)
    for payload_id in payload_ids:
        process_payload.enqueue(payload_id)
    outbound = Message.objects.filter(direction=Direction.OUTBOUND)
    queued = outbound.filter(delivery_status=DeliveryStatus.QUEUED, created_at__lt=cutoff)
    # a dead worker's attempt, once its lease ran out (no lease: a row from before leases)
    abandoned = outbound.filter(Q(next_attempt_at__lt=timezone.now()) | Q(next_attempt_at__isnull=True,
                                                                          created_at__lt=cutoff),
                                delivery_status=DeliveryStatus.SENDING)
    due = outbound.filter(delivery_status=DeliveryStatus.RETRYING, next_attempt_at__lt=cutoff)
    messages = [row for rows in (queued, abandoned, due)
                for row in rows.values_list("pk", "channel", "is_automatic")[:500]]
    for message_id, channel, automatic in messages:
        enqueue_delivery(message_id, channel, automatic=automatic)
    media_ids = media.stalled(cutoff)  # MMS media whose fetch job died with its worker
    for message_id in media_ids:
        enqueue(FETCH_MESSAGE_MEDIA, message_id, queue_name=media.FETCH_QUEUE)
    return len(payload_ids) + len(messages) + len(media_ids)
