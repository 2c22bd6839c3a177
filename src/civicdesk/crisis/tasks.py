"""Background jobs of crisis mode: the sending lanes' slices, social posts, confirmations, and recovery."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from civicdesk.cases.models import DeliveryStatus as MessageStatus
from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import CapturedNotSent, PermanentSendError
from civicdesk.channels.queues import delivery_queue
from civicdesk.channels.registry import AccountConfig, adapter_for_account
from civicdesk.conversations.models import KeywordReply
from civicdesk.core.jobs import DELIVER_MESSAGE, enqueue, enqueue_on_commit
from civicdesk.crisis import queries, sending, texts
from civicdesk.crisis.actions import LANE_QUEUES, SEND_LANE, mark_post, not_supported
from civicdesk.crisis.models import AlertChannel, BroadcastPost, PostStatus, Subscription, SubscriptionStatus
from civicdesk.mail.outbound import send_email

log = logging.getLogger(__name__)


@task(queue_name="alerts_sms")
def send_lane(channel: str) -> int:
    """One slice of a lane; the next slice is enqueued while copies remain (so other jobs get their turn)."""
    left = sending.run_lane(channel)
    if left:
        enqueue(SEND_LANE, channel, queue_name=LANE_QUEUES[AlertChannel(channel)])
    return left


@task(queue_name="default")
def recover_broadcasts() -> int:
    """Periodic: wake every lane that has copies waiting and no live worker (a killed worker's lane, once its lease
    ran out), and close finished broadcasts."""
    stalled = sending.stalled_lanes()
    for channel in stalled:
        enqueue(SEND_LANE, channel, queue_name=LANE_QUEUES[AlertChannel(channel)])
    sending.finish_broadcasts()
    return len(stalled)


@task(queue_name="social")
def post_broadcast(broadcast_id: int) -> int:
    """The broadcast as a post on each connected social account whose adapter can publish one (post()); the
    others are recorded as not supported yet, saying so on the progress page."""
    done = 0
    posts = BroadcastPost.objects.filter(broadcast_id=broadcast_id, status=PostStatus.QUEUED).select_related(
        "account", "broadcast")
    for post in posts:
        adapter = adapter_for_account(post.account)
        publish = getattr(adapter, "post", None)
        if publish is None:
            not_supported(post, f"Posting to {post.account.get_channel_display()} is not supported yet.")
            continue
        broadcast = post.broadcast
        text = broadcast.sms_en.strip() or broadcast.text_en.strip()
        page = texts.absolute(reverse("crisis:incident", args=[broadcast.incident.slug]))
        try:
            provider_id = publish(AccountConfig.of(post.account), f"{text} {page}", f"broadcast-{broadcast.pk}")
        except PermanentSendError as exc:
            mark_post(post, PostStatus.FAILED, error=str(exc))
        except Exception as exc:  # the network is down: say so; staff can post again by hand
            log.warning("Broadcast post %s failed: %s", post.pk, type(exc).__name__)
            mark_post(post, PostStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        else:
            mark_post(post, PostStatus.SENT, provider_id=provider_id)
            done += 1
    sending.finish_broadcasts()
    return done


@task(queue_name="email")
def send_confirmation(subscription_id: int) -> str:
    """The link to confirm (email) or the request to reply YES (SMS) of a pending web subscription."""
    subscription = Subscription.objects.select_related("area").filter(
        pk=subscription_id, status=SubscriptionStatus.PENDING).first()
    if subscription is None:
        return "nothing to confirm"
    if subscription.channel == AlertChannel.EMAIL:
        subject, text = texts.confirmation_email(subscription)
        stamp = f"{timezone.now():%Y%m%d%H%M%S}"
        message_id = f"<alert-confirm-{subscription.pk}-{stamp}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
        try:
            send_email(OutboundMessage(to=subscription.address, sender="", text=text, subject=subject,
                                       message_id=message_id, automatic=True))
        except CapturedNotSent:
            return "captured"
        except PermanentSendError:
            return "refused"
        return "sent"
    return queue_confirmation_text(subscription)


@transaction.atomic
def queue_confirmation_text(subscription: Subscription) -> str:
    """A text through the one outbound path (deliver_message: opt-outs refused, retries, failures shown), from
    the number the subscription's alerts come from."""
    account = subscription.account or queries.alert_sms_account()
    if account is None:
        return "no number"
    text = texts.confirmation_sms(subscription)
    message = Message.objects.create(
        case=None, direction=Direction.OUTBOUND, channel=Channel.SMS, is_automatic=True, body_text=text,
        visible_text=text, recipient=subscription.address, delivery_status=MessageStatus.QUEUED,
        created_at=timezone.now())
    KeywordReply.objects.create(message=message, account=account, keyword="ALERTS", confirms_opt_out=False)
    enqueue_on_commit(DELIVER_MESSAGE, message.pk, queue_name=delivery_queue(Channel.SMS))
    return "queued"
