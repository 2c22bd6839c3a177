"""How far inbound intake is behind: the age of the oldest received payload not yet applied (spool or table)."""

from datetime import datetime

from django.utils import timezone

from civicdesk.channels import spool
from civicdesk.channels.models import InboundPayload, PayloadStatus


def oldest_waiting() -> datetime | None:
    """When the oldest payload still waiting to be applied was received; None when none waits. Two index reads:
    the spool's first row and the payload table's (status, received_at) index."""
    in_table = (InboundPayload.objects.filter(status=PayloadStatus.RECEIVED).order_by("received_at")
                .values_list("received_at", flat=True).first())
    in_spool = spool.oldest_received_at() if spool.enabled() else None
    found = [moment for moment in (in_table, in_spool) if moment is not None]
    return min(found) if found else None


def seconds_behind() -> float:
    """How long the oldest waiting payload has waited (0.0 when intake is up to date)."""
    oldest = oldest_waiting()
    return max(0.0, (timezone.now() - oldest).total_seconds()) if oldest is not None else 0.0
