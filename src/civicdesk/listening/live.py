"""`civicdesk listening listen`: one thread per active live stream (Jetstream, Mastodon, RSS/Atom, our own
channels), each reconnecting with backoff; the set of streams is read again every 30 s (with none active it sleeps)."""

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections

from civicdesk.core.threads import keep_threads
from civicdesk.listening.ingest import ingestor_for
from civicdesk.listening.models import LIVE_SOURCES, SourceKind, Stream
from civicdesk.listening.sources import jetstream, mastodon, own_channels, rss
from civicdesk.listening.sources.base import Watch

log = logging.getLogger(__name__)
REFRESH_SECONDS = 30
MAX_BACKOFF_SECONDS = 60
READERS: dict[str, Callable[[Stream, Watch], None]] = {
    SourceKind.JETSTREAM.value: jetstream.read,
    SourceKind.MASTODON.value: mastodon.read,
    SourceKind.RSS.value: rss.read,
    SourceKind.OWN_CHANNELS.value: own_channels.read,
}


def live_streams() -> list[Stream]:
    """Active Jetstream, Mastodon, RSS and own-channels streams. A Jetstream stream is read once it has an address
    (the stream form fills in the public endpoint): one made in code without one, like the demo city's, never
    connects; a Mastodon stream needs its account."""
    found = (Stream.objects.filter(active=True, source__in=LIVE_SOURCES)
             .exclude(source=SourceKind.JETSTREAM, source_url="")
             .exclude(source=SourceKind.MASTODON, channel_account__isnull=True).select_related("channel_account"))
    return list(found.order_by("pk"))


def hold_source(stream_id: int, stop: threading.Event, *, max_backoff: float = MAX_BACKOFF_SECONDS) -> None:
    """Keep one stream's source read until `stop` or until the stream is deactivated; reconnect with backoff
    (the pattern of channels.listening.hold_stream)."""
    backoff = 1.0
    while not stop.is_set():
        close_old_connections()
        stream = next((s for s in live_streams() if s.pk == stream_id), None)
        if stream is None:
            return
        watch = Watch(stream, stop)
        started = time.monotonic()
        try:
            READERS[stream.source](stream, watch)
        except Exception as exc:  # the connection dropped, the feed failed: noted without its payload, then again
            log.warning("Listening stream %s (%s) stopped reading: %s", stream_id, stream.source,
                        type(exc).__name__)
        finally:
            try:
                ingestor_for(stream).close()  # the minute still being counted
            except Exception as exc:
                log.warning("Listening stream %s could not write its counts: %s", stream_id, type(exc).__name__)
        if not watch.running():
            return
        if time.monotonic() - started > 60:
            backoff = 1.0
        stop.wait(backoff)
        backoff = min(max_backoff, backoff * 2)


def listen_forever(stop: threading.Event, *, refresh: float = REFRESH_SECONDS) -> None:
    """Run a thread per active live stream, starting new ones as streams are made or switched on."""
    keep_threads(stop, lambda: [stream.pk for stream in live_streams()], hold_source, name="listening",
                 refresh=refresh)
