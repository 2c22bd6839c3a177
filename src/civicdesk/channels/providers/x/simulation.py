"""`civicdesk channels simulate x`: a mention or a direct message to the agency's account, shaped as X's Account
Activity webhook delivers it and signed as X signs it (x-twitter-webhooks-signature with the account's consumer secret).
Also used by the local X server of the tests to build its deliveries."""

import json
import secrets
import time
from typing import Any

from civicdesk.channels.providers.x.signing import SIGNATURE_HEADER, signature
from civicdesk.channels.simulate import SimulatedWebhook

TWITTER_EPOCH_MS = 1288834974657  # ids carry their own time: (id >> 22) + this
RESIDENT = {"id": "1690000000000000042", "screen_name": "riverbend_resident", "name": "Sam Rivera"}
V1_TIME = "%a %b %d %H:%M:%S +0000 %Y"


def new_id(at_ms: int | None = None) -> str:
    """A post or event id as X makes them: the time in milliseconds since X's epoch, then 22 random bits."""
    now = int(time.time() * 1000) if at_ms is None else at_ms
    return str(((now - TWITTER_EPOCH_MS) << 22) | secrets.randbits(22))


def user_v1(user: dict[str, str]) -> dict[str, Any]:
    return {"id": int(user["id"]), "id_str": user["id"], "name": user["name"], "screen_name": user["screen_name"],
            "protected": False, "verified": False}


def mention(our_id: str, our_handle: str, text: str, *, resident: dict[str, str] | None = None,
            in_reply_to: str = "", in_reply_to_user: str = "", post_id: str = "") -> dict[str, Any]:
    """A v1.1 post that mentions our account (a reply to `in_reply_to` when given), as tweet_create_events carries."""
    who = resident or RESIDENT
    post_id = post_id or new_id()
    prefix = f"@{our_handle} "
    full = prefix + text
    now = time.time()
    return {
        "created_at": time.strftime(V1_TIME, time.gmtime(now)), "id": int(post_id), "id_str": post_id,
        "text": full, "display_text_range": [len(prefix), len(full)], "source": "<a href=\"https://x.com\">X</a>",
        "truncated": False, "in_reply_to_status_id": int(in_reply_to) if in_reply_to else None,
        "in_reply_to_status_id_str": in_reply_to or None,
        "in_reply_to_user_id": int(in_reply_to_user) if in_reply_to_user else None,
        "in_reply_to_user_id_str": in_reply_to_user or None,
        "in_reply_to_screen_name": our_handle if in_reply_to_user == our_id else None,
        "user": user_v1(who), "is_quote_status": False, "quote_count": 0, "reply_count": 0, "retweet_count": 0,
        "favorite_count": 0, "entities": {"hashtags": [], "urls": [], "symbols": [], "user_mentions": [
            {"screen_name": our_handle, "name": our_handle, "id": int(our_id), "id_str": our_id,
             "indices": [0, len(prefix) - 1]}]},
        "favorited": False, "retweeted": False, "filter_level": "low", "lang": "en",
        "timestamp_ms": str(int(now * 1000)),
    }


def direct_message(our_id: str, our_handle: str, text: str, *, resident: dict[str, str] | None = None,
                   event_id: str = "") -> dict[str, Any]:
    """A direct_message_events payload: one message_create from the resident to us, with its users map."""
    who = resident or RESIDENT
    return {
        "for_user_id": our_id,
        "direct_message_events": [{
            "type": "message_create", "id": event_id or new_id(), "created_timestamp": str(int(time.time() * 1000)),
            "message_create": {"target": {"recipient_id": our_id}, "sender_id": who["id"],
                               "message_data": {"text": text, "entities": {"hashtags": [], "symbols": [],
                                                                           "user_mentions": [], "urls": []}}},
        }],
        "users": {
            who["id"]: {"id": who["id"], "created_timestamp": "1422556069340", "name": who["name"],
                        "screen_name": who["screen_name"], "protected": False, "verified": False},
            our_id: {"id": our_id, "created_timestamp": "1448312972328", "name": our_handle,
                     "screen_name": our_handle, "protected": False, "verified": False},
        },
    }


def signed(body: dict[str, Any], consumer_secret: str) -> SimulatedWebhook:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return SimulatedWebhook(body=raw, headers={SIGNATURE_HEADER: signature(consumer_secret, raw)},
                            content_type="application/json")


def simulated_event(config: Any, text: str, kind: str) -> SimulatedWebhook:
    """`kind` "message": a direct message; "mention" or "comment": a post mentioning the account."""
    our_id = config.address or "1"
    handle = "agency"
    if kind == "message":
        body = direct_message(our_id, handle, text)
    else:
        body = {"for_user_id": our_id, "tweet_create_events": [mention(our_id, handle, text)]}
    return signed(body, config.credentials.get("consumer_secret", ""))
