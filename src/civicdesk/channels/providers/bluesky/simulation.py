"""`civicdesk channels simulate bluesky`: a mention, a reply to our post or a chat message, shaped exactly as
listNotifications (or chat.bsky.convo.getLog) gives it and stored as a poll stores it, from a made-up resident
(a .example handle: never a real person)."""

import base64
import hashlib
import time
from datetime import UTC, datetime
from typing import Any

from civicdesk.channels.providers.bluesky.polling import _dump
from civicdesk.channels.pulling import PulledPayload
from civicdesk.channels.simulate import SimulatedPull

RESIDENT_HANDLE = "demo-resident.example"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, as record keys (TIDs) are written


def tid(micros: int | None = None, clock_id: int = 7) -> str:
    """A record key as a PDS makes it: 53 bits of microseconds and 10 bits of clock id, 13 characters."""
    value = ((micros if micros is not None else time.time_ns() // 1000) << 10) | (clock_id & 0x3FF)
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def fake_did(seed: str) -> str:
    """A did:plc-shaped identifier from a seed (24 base32 characters)."""
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode().lower()
    return "did:plc:" + digest[:24]


def fake_cid(seed: str) -> str:
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode().lower().rstrip("=")
    return "bafyrei" + digest[:52]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def simulated(config: Any, text: str, kind: str) -> SimulatedPull:
    ours = str((config.cursor or {}).get("did") or fake_did(f"account:{config.address}"))
    handle = str(config.address).lstrip("@")
    resident = fake_did("civicdesk demo resident")
    meta = {"account_did": ours, "account_handle": handle}
    if kind == "message":
        convo = fake_did(f"convo:{ours}:{resident}").removeprefix("did:plc:")[:13]
        rev = tid()
        entry = {"$type": "chat.bsky.convo.defs#logCreateMessage", "convoId": convo, "rev": rev,
                 "message": {"$type": "chat.bsky.convo.defs#messageView", "id": rev, "rev": rev, "text": text,
                             "sender": {"did": resident}, "sentAt": _now()},
                 "relatedProfiles": [{"did": resident, "handle": RESIDENT_HANDLE, "displayName": "Demo Resident"}]}
        return SimulatedPull(payloads=[PulledPayload(raw=_dump({"getLog": {"logs": [entry]}}),
                                                     provider_message_id=f"chat:{convo}:{rev}", meta=meta)])
    uri = f"at://{resident}/app.bsky.feed.post/{tid()}"
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _now(), "langs": ["en"]}
    if kind == "comment":  # a reply to a post of ours (an announcement), the root and parent both ours
        ours_uri = f"at://{ours}/app.bsky.feed.post/{tid(1767225600000000)}"
        ref = {"uri": ours_uri, "cid": fake_cid(ours_uri)}
        record["reply"] = {"root": ref, "parent": ref}
        reason = "reply"
    else:  # a mention: "@handle" at the start with its mention facet, as the Bluesky app writes it
        record["text"] = f"@{handle} {text}"
        record["facets"] = [{"$type": "app.bsky.richtext.facet",
                             "index": {"byteStart": 0, "byteEnd": len(f"@{handle}".encode())},
                             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ours}]}]
        reason = "mention"
    notification = {"uri": uri, "cid": fake_cid(uri + text), "reason": reason, "record": record, "isRead": False,
                    "indexedAt": _now(), "labels": [],
                    "author": {"did": resident, "handle": RESIDENT_HANDLE, "displayName": "Demo Resident",
                               "labels": [], "viewer": {"muted": False, "blockedBy": False}}}
    return SimulatedPull(payloads=[PulledPayload(raw=_dump({"listNotifications": {"notifications": [notification]}}),
                                                 provider_message_id=uri, meta=meta)])
