"""`civicdesk channels simulate mastodon`: a mention or a direct message, shaped exactly as the user stream's
`notification` event (a Notification of type mention holding the Status), stored as the stream stores it."""

import time
from datetime import UTC, datetime
from html import escape
from typing import Any

from civicdesk.channels.providers.mastodon import parsing, receiving
from civicdesk.channels.pulling import PulledPayload
from civicdesk.channels.simulate import SimulatedPull

RESIDENT = {"id": "990001", "username": "resident", "acct": "resident@neighbours.example",
            "display_name": "Sam Resident", "url": "https://neighbours.example/@resident",
            "uri": "https://neighbours.example/users/resident"}  # example.* domains: never a real person


def notification(config: Any, text: str, kind: str, *, at: datetime | None = None) -> dict[str, Any]:
    """A Notification entity (type mention) as Mastodon documents it, for a status mentioning our account."""
    at = at or datetime.now(UTC)
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    meta = receiving.account_meta(config)
    ours = config.address.split("@")[0] if config.address else "agency"
    our_url = f"https://{meta['instance'] or 'mastodon.example'}/@{ours}"
    number = str(int(time.time() * 1000) << 16)  # snowflake-like: newer is larger, like Mastodon's ids
    content = (f'<p><span class="h-card"><a href="{our_url}" class="u-url mention">@<span>{escape(ours)}</span>'
               f"</a></span> {escape(text)}</p>")
    status = {
        "id": number, "created_at": stamp, "in_reply_to_id": None, "in_reply_to_account_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "direct" if kind == "message" else "public",
        "language": "en", "uri": f"{RESIDENT['uri']}/statuses/{number}", "url": f"{RESIDENT['url']}/{number}",
        "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": None, "content": content,
        "reblog": None, "account": {**RESIDENT, "created_at": "2024-03-01T00:00:00.000Z", "bot": False},
        "media_attachments": [], "mentions": [{"id": meta["our_account_id"] or "1", "username": ours,
                                               "url": our_url, "acct": ours}],
        "tags": [], "emojis": [], "card": None, "poll": None,
    }
    return {"id": number, "type": "mention", "created_at": stamp, "account": status["account"], "status": status}


def simulated(config: Any, text: str, kind: str = "message") -> SimulatedPull:
    raw = parsing.envelope("notification", notification(config, text, kind))
    item = PulledPayload(raw=raw, provider_message_id=parsing.event_id(raw), meta=receiving.account_meta(config))
    return SimulatedPull(payloads=[item], transport="stream")
