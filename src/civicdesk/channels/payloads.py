"""Raw inbound payloads: stored before anything is parsed, deduplicated on provider id and content, quarantined."""

import logging
from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.registry import get_adapter

log = logging.getLogger(__name__)


def store_payload(channel: str, raw: bytes, *, meta: dict[str, Any] | None = None, provider_message_id: str = "",
                  content_type: str = "") -> tuple[InboundPayload, bool]:
    """Step 1 and 2: keep the raw bytes before anything else; a repeat of a known id with the same content is not
    stored twice. A known id with other content is stored (and flagged): providers and mailers do reuse ids."""
    meta = meta or {}
    adapter = get_adapter(channel)
    pid = (provider_message_id or adapter.provider_message_id(raw, meta))[:300]
    content_hash = adapter.content_hash(raw, meta)
    known = list(InboundPayload.objects.filter(channel=channel, provider_message_id=pid)
                 .order_by("pk").values_list("pk", "content_hash")[:50])
    same = [pk for pk, digest in known if digest == content_hash]
    if same:
        return InboundPayload.objects.get(pk=same[0]), False
    if known:
        meta = {**meta, "reuses_provider_id_of": known[0][0]}
    # In a transaction, a savepoint keeps a failed INSERT from spoiling the caller's; outside one (the webhook
    # with the batch worker), the INSERT is its own transaction and needs no BEGIN and COMMIT around it.
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
    try:
        with guard:
            payload = InboundPayload.objects.create(
                channel=channel, provider_message_id=pid, content_hash=content_hash, reuses_provider_id=bool(known),
                raw=raw, meta=meta, content_type=content_type, received_at=timezone.now(),
            )
            return payload, True
    except IntegrityError:  # the same message arrived at the same moment through another process
        return InboundPayload.objects.get(channel=channel, provider_message_id=pid, content_hash=content_hash), False



def quarantine(payload: InboundPayload, error: str) -> None:
    InboundPayload.objects.filter(pk=payload.pk).update(
        status=PayloadStatus.QUARANTINED, error=error[:5000], processed_at=timezone.now()
    )
    payload.status = PayloadStatus.QUARANTINED
    payload.error = error
    log.warning("Payload %s on %s quarantined: %s", payload.pk, payload.channel, error.splitlines()[0][:200])
