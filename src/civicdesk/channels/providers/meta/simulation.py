"""`civicdesk channels simulate facebook|instagram`: a direct message or a comment as Meta posts it, signed with the
account's own app secret, so the demo city shows the channel with no internet."""

import hashlib
import json
import time
import uuid
from typing import Any

from civicdesk.channels import signatures
from civicdesk.channels.models import Channel
from civicdesk.channels.simulate import SimulatedWebhook

RESIDENT_ID = "7000000000000001"  # a made-up page-scoped id: never a real person
COMMENTER_ID = "7000000000000002"  # Facebook gives a commenter another id than their Messenger PSID
RESIDENT_NAME = "Sam Resident"
RESIDENT_USERNAME = "sam.resident"
POST_ID_SUFFIX = "9000000000000001"


def payload(channel: str, owner: str, text: str, kind: str, *, now_ms: int | None = None,
            user_id: str = "", unique: str = "") -> dict[str, Any]:
    """The webhook document Meta sends for one event of `kind` ("message"; "comment" or "mention": a comment)."""
    now_ms = now_ms or int(time.time() * 1000)
    unique = unique or uuid.uuid4().hex[:16]
    digits = str(int(hashlib.sha256(unique.encode()).hexdigest()[:13], 16))  # comment ids are digits
    obj = "instagram" if channel == Channel.INSTAGRAM else "page"
    user_id = user_id or (COMMENTER_ID if kind != "message" and obj == "page" else RESIDENT_ID)
    entry: dict[str, Any] = {"id": owner, "time": now_ms}
    if kind == "message":
        entry["messaging"] = [{"sender": {"id": user_id}, "recipient": {"id": owner}, "timestamp": now_ms,
                               "message": {"mid": f"m_{unique}", "text": text}}]
    elif obj == "instagram":
        entry["changes"] = [{"field": "comments", "value": {
            "id": f"1790{digits}", "from": {"id": user_id, "username": RESIDENT_USERNAME}, "text": text,
            "media": {"id": f"1780{POST_ID_SUFFIX}", "media_product_type": "FEED"}}}]
    else:
        post_id = f"{owner}_{POST_ID_SUFFIX}"
        entry["changes"] = [{"field": "feed", "value": {
            "from": {"id": user_id, "name": RESIDENT_NAME}, "post_id": post_id,
            "comment_id": f"{POST_ID_SUFFIX}_{digits}", "parent_id": post_id, "created_time": now_ms // 1000,
            "item": "comment", "verb": "add", "message": text}}]
    return {"object": obj, "entry": [entry]}


def signed(body: bytes, app_secret: str) -> dict[str, str]:
    return {signatures.HUB_SIGNATURE_HEADER: signatures.hub_signature(app_secret, body),
            "Content-Type": "application/json", "User-Agent": "facebookexternalua"}


def simulated_event(config: Any, text: str, kind: str = "message") -> SimulatedWebhook:
    body = json.dumps(payload(config.channel, config.address, text, kind), separators=(",", ":")).encode()
    return SimulatedWebhook(body=body, headers=signed(body, config.credentials.get("app_secret", "")))
