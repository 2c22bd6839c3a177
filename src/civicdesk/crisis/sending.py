"""The sending lanes: one worker at a time sends every queued alert copy of a lane ("sms", "email"), throttled.

Exactly one copy per subscriber: each delivery row moves queued -> sending -> sent (or failed, opted out) and is
marked sent right after the provider accepts it, so a sent row is never sent again. The lane is held under a lease
renewed as it works; a worker that dies leaves the lease to run out, and the next holder puts the rows the dead one
was sending back in the queue (a worker killed inside the provider call had not sent them). The one copy a kill can
double is the one whose provider call had returned but whose row was not yet marked: a window of one UPDATE.

The SMS lane texts from each number at that number's rate (a long-code number: one segment a second), numbers in
parallel; the email lane keeps one SMTP connection open and sends CRISIS_EMAILS_PER_SECOND at most. Opt-outs are
checked on each copy just before it is sent (the consent registry, as every reply is), and so are unsubscriptions.
"""

import contextlib
import logging
import smtplib
import time
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from civicdesk.channels.credentials import DEMO_OUTBOX
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.registry import AccountConfig, adapter_for_account
from civicdesk.conversations.consent import refusal
from civicdesk.crisis import queries, texts
from civicdesk.crisis.models import (
    AlertChannel,
    Broadcast,
    BroadcastDelivery,
    BroadcastPost,
    BroadcastStatus,
    DeliveryStatus,
    PostStatus,
    SendLane,
    SubscriptionStatus,
)
from civicdesk.mail.outbound import build_email

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RENEW_EVERY = 5.0  # seconds between lease renewals
WAITING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def lease() -> timedelta:
    return timedelta(seconds=settings.CRISIS_LANE_LEASE_SECONDS)


def acquire(key: str, holder: str) -> bool:
    """Take the lane unless a live worker holds it; on taking it from a dead one, requeue what it was sending."""
    now = timezone.now()
    with contextlib.suppress(IntegrityError):  # another worker created it at the same moment
        SendLane.objects.get_or_create(key=key)
    taken = SendLane.objects.filter(key=key).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(holder=holder)).update(
        holder=holder, lease_until=now + lease())
    if taken:
        BroadcastDelivery.objects.filter(channel=key, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED)
    return bool(taken)


def renew(key: str, holder: str) -> bool:
    return bool(SendLane.objects.filter(key=key, holder=holder).update(lease_until=timezone.now() + lease()))


def release(key: str, holder: str) -> None:
    SendLane.objects.filter(key=key, holder=holder).update(lease_until=None, holder="")


def claim(channel: str, account_id: int | None, limit: int) -> list[BroadcastDelivery]:
    """The next queued rows of the lane (oldest broadcast first), moved to sending; only the lane's holder calls."""
    queued = BroadcastDelivery.objects.filter(channel=channel, status=DeliveryStatus.QUEUED)
    if channel == AlertChannel.SMS:
        queued = queued.filter(account_id=account_id)
    ids = list(queued.order_by("broadcast_id", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    BroadcastDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    return list(BroadcastDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING)
                .select_related("subscription", "subscription__area", "broadcast", "broadcast__incident")
                .order_by("broadcast_id", "pk"))


def finish(row: BroadcastDelivery, status: str, *, provider_id: str = "", error: str = "") -> None:
    BroadcastDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
        status=status, provider_id=provider_id[:300], error=error[:500],
        sent_at=timezone.now() if status in (DeliveryStatus.SENT, DeliveryStatus.CAPTURED) else None)


def retry_or_fail(row: BroadcastDelivery, error: str) -> None:
    status = DeliveryStatus.FAILED if row.attempts >= MAX_ATTEMPTS else DeliveryStatus.QUEUED
    BroadcastDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(status=status,
                                                                                      error=error[:500])


def blocked(row: BroadcastDelivery, channel: str, account_id: int | None) -> str:
    """Why this copy must not go out ("" when it may): unsubscribed since it was queued, or opted out."""
    if row.subscription.status != SubscriptionStatus.ACTIVE:
        return "Unsubscribed before it was sent."
    return refusal(channel, row.subscription.address, account_id)


def send_sms(row: BroadcastDelivery, account: ChannelAccount, config: Any) -> int:
    """One text; returns its segments (what the number's throttle counts)."""
    text = texts.broadcast_sms(row.broadcast, row.subscription.language)
    why = blocked(row, Channel.SMS, account.pk)
    if why:
        finish(row, DeliveryStatus.OPTED_OUT, error=why)
        return 0
    try:
        if config.credentials.get(DEMO_OUTBOX):  # the demo city's numbers: nothing leaves
            finish(row, DeliveryStatus.CAPTURED, provider_id=f"demo:{config.id}")
            return texts.segments(text)
        provider_id = adapter_for_account(account).send(
            OutboundMessage(to=row.subscription.address, sender=account.address, text=text, automatic=True,
                            reference=f"alert-{row.pk}"), config)
    except PermanentSendError as exc:
        finish(row, DeliveryStatus.FAILED, error=str(exc))
    except RateLimited:
        BroadcastDelivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.QUEUED,
                                                           attempts=F("attempts") - 1)
        raise
    except Exception as exc:  # network, provider outage: back in the queue, a few times
        log.warning("Alert text %s failed (attempt %s): %s", row.pk, row.attempts, type(exc).__name__)
        retry_or_fail(row, f"{type(exc).__name__}: {exc}")
    else:
        finish(row, DeliveryStatus.SENT, provider_id=provider_id)
    return texts.segments(text)


def sms_lane(holder: str, deadline: float) -> None:
    """Every number with queued texts, each at its own pace, until the slice ends or nothing is left."""
    pending = set(BroadcastDelivery.objects.filter(channel=AlertChannel.SMS, status=DeliveryStatus.QUEUED)
                  .values_list("account_id", flat=True).distinct())
    accounts = {a.pk: a for a in ChannelAccount.objects.filter(pk__in=[p for p in pending if p])}
    configs: dict[int, Any] = {}
    for pk, account in list(accounts.items()):
        try:
            configs[pk] = AccountConfig.of(account)
        except Exception as exc:  # unreadable credentials: every copy from this number fails, saying why
            BroadcastDelivery.objects.filter(channel=AlertChannel.SMS, status=DeliveryStatus.QUEUED,
                                             account_id=pk).update(status=DeliveryStatus.FAILED,
                                                                   error=f"{type(exc).__name__}: {exc}"[:500])
            accounts.pop(pk)
    rates = {pk: queries.segments_per_second(account) for pk, account in accounts.items()}
    next_at = dict.fromkeys(accounts, time.monotonic())
    renewed = time.monotonic()
    while next_at and time.monotonic() < deadline:
        pk = min(next_at, key=lambda k: next_at[k])
        wait = next_at[pk] - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
            continue
        rows = claim(AlertChannel.SMS, pk, max(1, min(50, int(rates[pk]))))
        if not rows:
            del next_at[pk]
            continue
        for index, row in enumerate(rows):
            try:
                used = send_sms(row, accounts[pk], configs[pk])
            except RateLimited as exc:  # the number pauses; the rest of the batch goes back too
                BroadcastDelivery.objects.filter(pk__in=[r.pk for r in rows[index + 1:]]).update(
                    status=DeliveryStatus.QUEUED, attempts=F("attempts") - 1)
                next_at[pk] = time.monotonic() + exc.retry_after
                break
            next_at[pk] = max(next_at[pk], time.monotonic()) + used / rates[pk]
        if time.monotonic() - renewed > RENEW_EVERY:
            renew(AlertChannel.SMS, holder)
            renewed = time.monotonic()


def send_mail_copy(row: BroadcastDelivery, connection: Any) -> None:
    why = blocked(row, Channel.EMAIL, None)
    if why:
        finish(row, DeliveryStatus.OPTED_OUT, error=why)
        return
    subject, text = texts.broadcast_email(row.broadcast, row.subscription)
    message_id = f"<alert-{row.broadcast_id}-{row.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    mail = build_email(OutboundMessage(to=row.subscription.address, sender="", text=text, subject=subject,
                                       message_id=message_id, automatic=True))
    stop = texts.absolute(reverse("crisis:unsubscribe-one-click", args=[row.subscription.token]))
    mail.extra_headers.update({"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    try:
        connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _reply in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            finish(row, DeliveryStatus.FAILED, error=f"The mail server refused the recipient ({codes[0]}).")
        else:
            retry_or_fail(row, f"The mail server deferred the recipient ({codes[0] if codes else ''}).")
        return
    captured = getattr(connection, "captures", False)
    finish(row, DeliveryStatus.CAPTURED if captured else DeliveryStatus.SENT, provider_id=message_id)


def email_lane(holder: str, deadline: float) -> None:
    rate = max(0.001, float(settings.CRISIS_EMAILS_PER_SECOND))
    renewed = next_at = time.monotonic()
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        while time.monotonic() < deadline:
            rows = claim(AlertChannel.EMAIL, None, max(1, min(100, int(rate))))
            if not rows:
                return
            for row in rows:
                wait = next_at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    send_mail_copy(row, connection)
                except (smtplib.SMTPException, OSError) as exc:  # the server went away: reconnect, retry later
                    log.warning("Alert email %s failed: %s", row.pk, type(exc).__name__)
                    retry_or_fail(row, f"{type(exc).__name__}: {exc}")
                    connection.close()
                    connection.open()
                next_at = max(next_at, time.monotonic()) + 1 / rate
            if time.monotonic() - renewed > RENEW_EVERY:
                renew(AlertChannel.EMAIL, holder)
                renewed = time.monotonic()
    finally:
        connection.close()


def run_lane(channel: str, seconds: float | None = None) -> int:
    """Hold the lane for one slice and send; returns how many copies are still queued on it (the task then
    enqueues the next slice). Another live holder: returns 0 at once."""
    holder = uuid.uuid4().hex
    if not acquire(channel, holder):
        return 0
    deadline = time.monotonic() + (seconds if seconds is not None else settings.CRISIS_LANE_SLICE_SECONDS)
    try:
        (sms_lane if channel == AlertChannel.SMS else email_lane)(holder, deadline)
    finally:
        release(channel, holder)
        finish_broadcasts()
    return BroadcastDelivery.objects.filter(channel=channel, status=DeliveryStatus.QUEUED).count()


def finish_broadcasts() -> None:
    """Broadcasts with nothing left to send or post are done."""
    for broadcast in Broadcast.objects.filter(status=BroadcastStatus.SENDING):
        waiting = BroadcastDelivery.objects.filter(broadcast=broadcast, status__in=WAITING).exists()
        posting = BroadcastPost.objects.filter(broadcast=broadcast, status=PostStatus.QUEUED).exists()
        if not waiting and not posting:
            Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.SENDING).update(
                status=BroadcastStatus.DONE, finished_at=timezone.now())


def stalled_lanes() -> list[str]:
    """Lanes with copies waiting and no live holder (its worker died, or its next slice was lost)."""
    now = timezone.now()
    live = set(SendLane.objects.filter(lease_until__gte=now).values_list("key", flat=True))
    waiting = set(BroadcastDelivery.objects.filter(status__in=WAITING).values_list("channel", flat=True).distinct())
    return sorted(waiting - live)
