"""`civicdesk channels listen`: one thread per streaming account (Mastodon's streaming API), reconnecting with
backoff; after every reconnect the account is polled once (the adapter's catch-up) so a gap loses nothing."""

import logging
import threading
import time
from functools import partial

from django.db import close_old_connections

from civicdesk.channels.actions import note_error
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.pulling import PulledPayload, StreamingAdapter, store_pulled
from civicdesk.channels.registry import AccountConfig, adapter_for_account
from civicdesk.core.jobs import POLL_ACCOUNT, enqueue
from civicdesk.core.threads import keep_threads

log = logging.getLogger(__name__)
REFRESH_SECONDS = 30  # how often the set of streaming accounts is read again
MAX_BACKOFF_SECONDS = 60


def streaming_accounts() -> list[ChannelAccount]:
    found = []
    for account in ChannelAccount.objects.filter(is_active=True).order_by("pk"):
        try:
            if isinstance(adapter_for_account(account), StreamingAdapter) and not account.is_demo:
                found.append(account)
        except LookupError:
            continue
    return found


def _store_one(account_id: int, channel: str, item: PulledPayload) -> None:
    store_pulled(account_id, channel, [item], transport="stream")


def hold_stream(account_id: int, stop: threading.Event) -> None:
    """Keep one account's stream open until `stop`: deliver each event to the store; reconnect with backoff."""
    backoff = 1.0
    while not stop.is_set():
        close_old_connections()
        account = ChannelAccount.objects.filter(pk=account_id, is_active=True).first()
        if account is None:
            return
        adapter = adapter_for_account(account)
        started = time.monotonic()
        enqueue(POLL_ACCOUNT, account_id, queue_name="social")  # catch up on what the gap missed

        deliver = partial(_store_one, account_id, account.channel)
        try:
            assert isinstance(adapter, StreamingAdapter)
            adapter.listen(AccountConfig.of(account), deliver, stop)
        except Exception as exc:  # the connection dropped or was refused: noted, then reconnect
            log.warning("Stream of channel account %s ended: %s", account_id, type(exc).__name__)
            note_error(account_id, f"Streaming connection ended: {type(exc).__name__}: {exc}")
        if time.monotonic() - started > 60:
            backoff = 1.0
        stop.wait(backoff)
        backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)


def listen_forever(stop: threading.Event) -> None:
    """Run a stream thread per streaming account, starting new ones as accounts are connected."""
    keep_threads(stop, lambda: [account.pk for account in streaming_accounts()], hold_stream, name="stream",
                 refresh=REFRESH_SECONDS)
