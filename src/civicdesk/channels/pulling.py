"""Networks we fetch from instead of being pushed to: polling (Bluesky, YouTube, Mastodon's catch-up) and streaming
(Mastodon's streaming API). What they fetch is stored raw through the same store as a webhook's body, then processed
by the same job; the cursor moves only after the payloads are stored (a crash re-fetches; the store deduplicates).

An adapter that polls has `poll(config) -> PollResult`; one that streams has `listen(config, deliver, stop)`, which
calls `deliver(PulledPayload)` for each event until `stop` is set, and returns (or raises) when the connection ends.
The periodic job channels.tasks.poll_due_accounts polls each due account; `civicdesk channels listen` (started by
`civicdesk run`) holds one stream per streaming account and reconnects with backoff, polling after a gap.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from django.db import transaction

from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.registry import AccountConfig
from civicdesk.core.jobs import PROCESS_PAYLOAD, enqueue_with_transaction, payloads_are_queued

DEFAULT_POLL_SECONDS = 30


@dataclass
class PulledPayload:
    """One fetched event, kept as the network gave it (bytes), with the provider's id for it."""

    raw: bytes
    provider_message_id: str = ""
    content_type: str = "application/json"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class PollResult:
    """What one poll found, the cursor to resume from, and when to poll next (slower when quota is short)."""

    payloads: list[PulledPayload] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    next_poll_seconds: float = DEFAULT_POLL_SECONDS


@runtime_checkable
class PollingAdapter(Protocol):
    def poll(self, config: AccountConfig) -> PollResult:
        """Fetch what is new since config.cursor; raise RateLimited to pause the account, anything else is an
        error noted on the account's health (the poll is tried again at the next interval)."""


@runtime_checkable
class StreamingAdapter(Protocol):
    def listen(self, config: AccountConfig, deliver: Callable[[PulledPayload], None], stop: threading.Event) -> None:
        """Hold the account's stream open, delivering each event, until `stop` is set or the connection ends."""


def store_pulled(account_id: int, channel: str, pulled: list[PulledPayload], *,
                 cursor: dict[str, Any] | None = None, transport: str = "poll") -> int:
    """Store fetched payloads and queue their processing, and move the cursor, in one transaction. Returns how many
    were new (a payload fetched twice, before and after a gap, is stored once)."""
    created_count = 0
    queued = payloads_are_queued()
    with transaction.atomic():
        for item in pulled:
            meta = {**item.meta, "transport": transport, "account_id": account_id}
            payload, created = store_payload(channel, item.raw, meta=meta, content_type=item.content_type,
                                             provider_message_id=item.provider_message_id)
            if created:
                created_count += 1
                if not queued:  # else the payload table is the queue: the inbound batch worker takes it
                    enqueue_with_transaction(PROCESS_PAYLOAD, payload.pk)
        if cursor is not None:
            ChannelAccount.objects.filter(pk=account_id).update(cursor=cursor)
    return created_count
