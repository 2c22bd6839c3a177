"""`civicdesk channels simulate youtube --kind comment`: a new comment thread on one of our videos, shaped exactly as
commentThreads.list returns an item (part=snippet,replies; textFormat=plainText), stored as a poll would store it."""

import json
import secrets
from typing import Any

from django.utils import timezone

from civicdesk.channels.providers.youtube import parsing
from civicdesk.channels.pulling import PulledPayload
from civicdesk.channels.simulate import SimulatedPull

RESIDENT_CHANNEL = "UCsimulatedResident0000000"  # 24 characters like a real channel id; no real channel
RESIDENT_NAME = "River Resident"
VIDEO_ID = "dQsimVideo01"


def comment_id() -> str:
    """An id shaped like YouTube's (Ug + 22 url-safe characters + 4AaABAg)."""
    return "Ug" + secrets.token_urlsafe(17)[:22] + "4AaABAg"


def thread_item(channel_id: str, text: str, *, video_id: str = VIDEO_ID, author: str = RESIDENT_CHANNEL,
                name: str = RESIDENT_NAME, cid: str = "", at: str = "") -> dict[str, Any]:
    cid = cid or comment_id()
    at = at or timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "kind": parsing.THREAD, "etag": secrets.token_urlsafe(20), "id": cid,
        "snippet": {
            "channelId": channel_id, "videoId": video_id,
            "topLevelComment": {
                "kind": parsing.COMMENT, "etag": secrets.token_urlsafe(20), "id": cid,
                "snippet": {
                    "channelId": channel_id, "videoId": video_id, "textDisplay": text, "textOriginal": text,
                    "authorDisplayName": name, "authorProfileImageUrl": "",
                    "authorChannelUrl": f"http://www.youtube.com/channel/{author}",
                    "authorChannelId": {"value": author}, "canRate": True, "viewerRating": "none",
                    "likeCount": 0, "publishedAt": at, "updatedAt": at,
                },
            },
            "canReply": True, "totalReplyCount": 0, "isPublic": True,
        },
    }


def simulated_comment(config: Any, text: str, kind: str, agency_slug: str = "") -> SimulatedPull:
    """Every kind is a comment on YouTube (there are no mentions or direct messages to our channel)."""
    item = thread_item(config.address, text)
    meta = {"channel_id": config.address, "agency_slug": agency_slug, "simulated": True}
    raw = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
    return SimulatedPull(payloads=[PulledPayload(raw=raw, provider_message_id=item["id"], meta=meta)])
