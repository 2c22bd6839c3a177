"""The entry of inbound traffic: store the raw payload, then process it inline or queue it."""

from typing import Any

from civicdesk.channels.models import InboundPayload
from civicdesk.channels.payloads import store_payload
from civicdesk.core.jobs import PROCESS_PAYLOAD, enqueue_on_commit


def receive(channel: str, raw: bytes, **kwargs: Any) -> InboundPayload:
    """Store a payload and queue its processing; used by listeners and webhooks that must answer fast."""
    payload, created = store_payload(channel, raw, **kwargs)
    if created:
        enqueue_on_commit(PROCESS_PAYLOAD, payload.pk)
    return payload
