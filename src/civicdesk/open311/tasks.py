"""Background jobs of the Open311 app: queued batch requests, forwarding to other endpoints, pulling their updates."""

import logging

from django_tasks import task

from civicdesk.channels.models import InboundPayload

log = logging.getLogger(__name__)


@task(queue_name="inbound")
def process_batch_request(payload_id: int) -> None:
    from civicdesk.open311.actions import process_batch

    payload = InboundPayload.objects.filter(pk=payload_id).first()
    if payload is not None:
        process_batch(payload)


@task(queue_name="open311")  # its own worker: token polls sleep, a slow endpoint waits for its timeout
def send_forwarded_case(forward_id: int) -> None:
    from civicdesk.open311.forwarding import send_forward

    send_forward(forward_id)


@task(queue_name="open311")
def pull_external_updates() -> int:
    """Periodic: retry due forwards, poll batch tokens, and bring their status and updates into our timelines."""
    from civicdesk.open311.forwarding import pull_all

    return pull_all()
