"""CivicDesk's own inbound channels as a source: new inbound case messages become posts, so a burst of reports in
one place raises an alert like any other surge.

What reaches the listening store, and what does not: the text (the message's new text, else the case's subject,
after the service's name) with e-mail addresses, telephone numbers and links masked; the case's point rounded to
three decimals (about 100 m: the area, not the house); the channel's name as the author; the message's time. Never
the resident's name, address, number or contact, nor the case number. Each message is its own report, so reports
in the same words are not collapsed as echoes."""

import logging
import re
from datetime import timedelta
from typing import Any

from django.utils import timezone

from civicdesk.cases.models import Direction, Message
from civicdesk.listening.ingest import ingest
from civicdesk.listening.models import Stream
from civicdesk.listening.queries import OWN_PLATFORM
from civicdesk.listening.sources.base import Watch, save_state

log = logging.getLogger(__name__)
POLL_SECONDS = 5
PLATFORM = OWN_PLATFORM
BACKFILL = timedelta(days=1)  # a new stream starts with the last day's messages: the detector's baseline
PER_POLL = 2000
TEXT_CHARS = 1000
MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE), "[link]"),
    (re.compile(r"\+?\d[\d ().-]{6,}\d"), "[number]"),
)


def masked(text: str, name: str = "") -> str:
    """The text without email addresses, links and numbers, nor the words of the resident's own name (a signature:
    "Thanks, Jane Doe")."""
    for pattern, mask in MASKS:
        text = pattern.sub(mask, text)
    words = [re.escape(word) for word in re.findall(r"\w+", name) if len(word) > 1]
    if words:
        text = re.sub(r"\b(" + "|".join(words) + r")\b", "[name]", text, flags=re.IGNORECASE)
    return " ".join(text.split())[:TEXT_CHARS]


def post_of(message: Message) -> dict[str, Any] | None:
    case = message.case
    if case is None:
        return None
    words = message.visible_text or message.body_text or case.subject
    service = case.service.name if case.service_id and case.service else ""
    name = case.contact.display_name if case.contact_id and case.contact else ""
    text = masked(" ".join(part for part in (service, words) if part), name)
    if not text:
        return None
    post: dict[str, Any] = {"id": f"message-{message.pk}", "platform": PLATFORM, "text": text,
                            "author": str(message.channel), "created_at": message.created_at,
                            "independent": True}  # every report counts, however alike their words
    if case.lat is not None and case.lon is not None:
        post["lat"], post["lon"] = round(case.lat, 3), round(case.lon, 3)
    return post


def new_messages(stream: Stream) -> list[Message]:
    """Inbound messages on cases (of the stream's agency, when it has one) after the last one seen."""
    found = Message.objects.filter(direction=Direction.INBOUND, case__isnull=False)
    if stream.agency_id:
        found = found.filter(case__agency_id=stream.agency_id)
    last = (stream.source_state or {}).get("last_message_id")
    if isinstance(last, int):
        found = found.filter(pk__gt=last)
    else:
        found = found.filter(created_at__gte=timezone.now() - BACKFILL)
    return list(found.select_related("case", "case__service", "case__contact")
                .only("pk", "channel", "created_at", "visible_text", "body_text", "case__subject", "case__lat",
                      "case__lon", "case__service_id", "case__service__name", "case__contact_id",
                      "case__contact__display_name")
                .order_by("pk")[:PER_POLL])


def poll(stream: Stream) -> int:
    """Ingest the inbound messages since the last poll; how many messages were read."""
    messages = new_messages(stream)
    if not messages:
        if "last_message_id" not in (stream.source_state or {}):
            newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
            save_state(stream, last_message_id=newest or 0)
        return 0
    posts = [p for p in (post_of(m) for m in messages) if p is not None]
    if posts:
        ingest(stream, posts)
    save_state(stream, last_message_id=messages[-1].pk)
    return len(messages)


def read(stream: Stream, watch: Watch, interval: float = POLL_SECONDS) -> None:
    """Poll until stopped; an error ends the call (the caller retries with backoff)."""
    while watch.running():
        while poll(stream) >= PER_POLL and watch.running():
            pass  # a backlog: keep going without waiting
        if not watch.wait(interval):
            return
