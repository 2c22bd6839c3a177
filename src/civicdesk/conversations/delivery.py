"""Delivery state of outbound messages: the final failure, and delivery reports (bounces) about our messages."""

from django.db import transaction

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.channels.protocol import NormalizedMessage


@transaction.atomic
def mark_delivery_failed(message: Message, error: str) -> None:
    """The final failure of an outbound message, shown on it and on its case's timeline."""
    Message.objects.filter(pk=message.pk).update(
        delivery_status=DeliveryStatus.FAILED, last_error=error[:2000], next_attempt_at=None
    )
    message.delivery_status, message.last_error = DeliveryStatus.FAILED, error[:2000]
    record(AuditAction.DELIVERY_FAILED, case=message.case, actor_label=message.channel,
           after={"message": message.pk, "channel": message.channel, "attempts": message.attempts}, reason=error)



def record_bounce(normalized: NormalizedMessage) -> Message | None:
    """A delivery failure report about one of our outbound messages marks it failed (once), or does nothing."""
    if not normalized.bounced_message_ids:
        return None
    bounced = (Message.objects.select_related("case")
               .filter(direction=Direction.OUTBOUND, email_message_id__in=normalized.bounced_message_ids)
               .order_by("-created_at").first())
    if bounced is not None and bounced.delivery_status != DeliveryStatus.FAILED:
        mark_delivery_failed(bounced, normalized.bounce_reason or "Bounced.")
    return bounced
