"""The one entry of inbound traffic: store the raw payload, then process it now or queue it.

Every entry point (the portal, Open311 requests and updates, the SMTP listener, the IMAP poller, webhooks) calls
accept(); what differs between them is only whether the answer waits for the case, and which job takes it over.
"""

import logging
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError

from civicdesk.channels.models import InboundPayload
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import IngestResult, Prepared, process
from civicdesk.core.jobs import PROCESS_PAYLOAD, enqueue_on_commit

log = logging.getLogger(__name__)


def accept(channel: str, raw: bytes, *, meta: dict[str, Any] | None = None, provider_message_id: str = "",
           content_type: str = "", inline: bool = False, prepared: Sequence[Prepared] | None = None,
           job: str = PROCESS_PAYLOAD, queue_if_inline_fails: bool = False) -> IngestResult:
    """Store the raw bytes first (a repeat of a stored payload is not stored again), then:

    - inline=False: queue `job` for a new payload, on commit of the caller's transaction, and answer at once;
    - inline=True: process it now (a repeat answers what its first copy became). `prepared` is the caller's own
      parse and lookups of these very bytes, so they are not done twice. A failure is raised, unless
      queue_if_inline_fails: then it is logged and the payload goes to the queue, so it is never stranded.
    Two copies of one payload racing in at once make one case: the loser answers what the winner made.
    """
    payload, stored = store_payload(channel, raw, meta=meta, provider_message_id=provider_message_id,
                                    content_type=content_type)
    if not inline:
        if stored:
            enqueue_on_commit(job, payload.pk)
        return IngestResult(payload, stored=stored)
    try:
        result = process(payload, prepared)
    except IntegrityError:  # the same payload applied at the same moment by another process (apply rolled back)
        payload.refresh_from_db()
        result = IngestResult(payload, payload.case, payload.message)
    except Exception:
        if not queue_if_inline_fails:
            raise
        log.exception("Inline processing of payload %s failed; queueing it", payload.pk)
        enqueue_on_commit(job, payload.pk)
        result = IngestResult(payload)
    result.stored = stored
    return result


def receive(channel: str, raw: bytes, **kwargs: Any) -> InboundPayload:
    """Store a payload and queue its processing (accept() for entry points that only need the payload)."""
    return accept(channel, raw, **kwargs).payload
