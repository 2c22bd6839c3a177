"""Media a message names by URL (MMS pictures): noted on receipt, fetched by a job, kept or shown on the case."""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.cases.events import MessageAdded, publish
from civicdesk.cases.models import Attachment, DeliveryStatus, Direction, Message
from civicdesk.channels.events import InboundAttachment
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations.delivery import backoff
from civicdesk.conversations.models import MediaStatus, PendingMedia
from civicdesk.core.jobs import FETCH_MESSAGE_MEDIA, enqueue_on_commit

log = logging.getLogger(__name__)
FETCH_QUEUE = "sms"  # slow downloads never hold up the inbound queue (whose budget is seconds)


def note_remote_media(message: Message, items: list[InboundAttachment], account_id: int | None) -> None:
    """Step 6 for files given by URL: each is noted for the fetch job, enqueued once the message is committed."""
    remote = [item for item in items if item.url and not item.content]
    if not remote:
        return
    account = account_id if account_id and ChannelAccount.objects.filter(pk=account_id).exists() else None
    now = timezone.now()
    PendingMedia.objects.bulk_create([
        PendingMedia(message=message, account_id=account, url=item.url, filename=item.filename[:255] or "media",
                     content_type=item.content_type[:120], created_at=now)
        for item in remote])
    enqueue_on_commit(FETCH_MESSAGE_MEDIA, message.pk, queue_name=FETCH_QUEUE)


@transaction.atomic
def keep(item: PendingMedia, content: bytes, content_type: str) -> Attachment | None:
    """The fetched file becomes one of the message's attachments (once, even if two jobs fetched it)."""
    locked = PendingMedia.objects.select_for_update().filter(pk=item.pk, status=MediaStatus.PENDING).first()
    if locked is None:
        return None
    attachment = Attachment.objects.create(
        message_id=item.message_id, file=ContentFile(content, name=item.filename), filename=item.filename,
        content_type=(content_type or item.content_type)[:120], size=len(content))
    PendingMedia.objects.filter(pk=item.pk).update(status=MediaStatus.FETCHED, attachment=attachment,
                                                   attempts=item.attempts + 1, last_error="")
    return attachment


def attempt_failed(item: PendingMedia, error: str) -> datetime | None:
    """A fetch that may succeed later: when to try again, or None after the last attempt (then shown)."""
    attempts = item.attempts + 1
    if attempts >= settings.INBOUND_MEDIA_MAX_ATTEMPTS:
        give_up(item, error, attempts=attempts)
        return None
    retry_at = timezone.now() + backoff(attempts)
    PendingMedia.objects.filter(pk=item.pk, status=MediaStatus.PENDING).update(
        attempts=attempts, last_error=error[:2000], next_attempt_at=retry_at)
    return retry_at


@transaction.atomic
def give_up(item: PendingMedia, reason: str, *, attempts: int | None = None) -> bool:
    """The file is not kept: the reason goes on the case's timeline, as a note staff see beside the message."""
    tries = item.attempts + 1 if attempts is None else attempts
    written = PendingMedia.objects.filter(pk=item.pk, status=MediaStatus.PENDING).update(
        status=MediaStatus.FAILED, last_error=reason[:2000], attempts=tries)
    if not written:
        return False
    message = Message.objects.select_related("case").get(pk=item.message_id)
    assert message.case is not None  # media come with inbound messages, which always belong to a case
    text = gettext("The file %(name)s sent with the resident's message could not be kept: %(reason)s") % {
        "name": item.filename, "reason": reason}
    note = Message.objects.create(
        case=message.case, direction=Direction.NOTE, channel=Channel.INTERNAL, is_automatic=True, body_text=text,
        visible_text=text, delivery_status=DeliveryStatus.RECEIVED, created_at=timezone.now())
    publish(MessageAdded(message.case, note))
    log.warning("Media %s of message %s not kept after %s attempt(s)", item.pk, item.message_id, attempts)
    return True


def stalled(cutoff: datetime) -> list[int]:
    """Messages whose media fetch a dead worker left behind: pending and due before `cutoff` (or never tried)."""
    due = PendingMedia.objects.filter(status=MediaStatus.PENDING).filter(
        Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff))
    return list(due.order_by().values_list("message_id", flat=True).distinct()[:500])


def pending_for(message_id: int) -> list[PendingMedia]:
    return list(PendingMedia.objects.select_related("account")
                .filter(message_id=message_id, status=MediaStatus.PENDING).order_by("pk"))


def account_config(item: PendingMedia) -> Any:
    """The plain config of the account the media arrived on (its credentials fetch it)."""
    return AccountConfig.of(item.account) if item.account is not None else None
