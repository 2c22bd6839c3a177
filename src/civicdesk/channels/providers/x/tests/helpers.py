"""What the X tests share: deliver a body through the local server's signed webhook and process what was stored."""

from typing import Any

from civicdesk.channels.models import InboundPayload
from civicdesk.channels.providers.x.tests.x_server import XServer
from civicdesk.conversations.pipeline import process

RESIDENT_ID = "3001969357"  # the resident of X's own examples (furiouscamper)
NEIGHBOUR_ID = "199566737"


def hook_url(account: Any) -> str:
    return f"https://311.riverbend.example/hooks/x/{account.pk}/"


def receive(server: XServer, account: Any, body: dict[str, Any], *, status: int = 200) -> InboundPayload | None:
    """Deliver `body` signed as X signs it, expect `status`, and process the payload it stored (if any)."""
    before = InboundPayload.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    answered, _ = server.deliver(body, url=hook_url(account))
    assert answered == status
    payload = InboundPayload.objects.filter(pk__gt=before).order_by("-pk").first()
    if payload is not None:
        process(payload)
        payload.refresh_from_db()
    return payload


def residents(server: XServer) -> None:
    server.add_user(RESIDENT_ID, "furiouscamper", "Jordan Brinks")
    server.add_user(NEIGHBOUR_ID, "LeBraat", "Le Braat")
