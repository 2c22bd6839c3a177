"""Delivery state of outbound messages: the final failure, and delivery reports (bounces) about our messages."""

from django.db import transaction

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.channels.events import DeliveryOutcome, DeliveryReport
from civicdesk.channels.models import Channel


@transaction.atomic
def mark_delivery_failed(message: Message, error: str) -> None:
    """The final failure of an outbound message, shown on it and on its case's timeline."""
    Message.objects.filter(pk=message.pk).update(
        delivery_status=DeliveryStatus.FAILED, last_error=error[:2000], next_attempt_at=None
    )
    message.delivery_status, message.last_error = DeliveryStatus.FAILED, error[:2000]
    record(AuditAction.DELIVERY_FAILED, case=message.case, actor_label=message.channel,
           after={"message": message.pk, "channel": message.channel, "attempts": message.attempts}, reason=error)


def apply_report(report: DeliveryReport) -> Message | None:
    """A provider's report about one of our outbound messages: a failure marks it failed (once). Returns the
    message it is about, or None when it is about no message of ours (the caller then ignores the report).

    Other outcomes (sent, delivered, read) are recognised but change nothing yet: the delivery state machine owns
    those transitions."""
    if not report.about:
        return None
    ours = Message.objects.select_related("case").filter(direction=Direction.OUTBOUND)
    if report.channel == Channel.EMAIL:  # a bounce names our Message-ID (globally unique, indexed)
        ours = ours.filter(email_message_id__in=report.about)
    else:
        ours = ours.filter(channel=report.channel, provider_message_id__in=report.about)
    reported = ours.order_by("-created_at").first()
    if reported is not None and report.outcome == DeliveryOutcome.FAILED \
            and reported.delivery_status != DeliveryStatus.FAILED:
        mark_delivery_failed(reported, report.error or "Bounced.")
    return reported
