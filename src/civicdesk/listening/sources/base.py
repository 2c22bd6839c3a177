"""What every live source shares: a watch on the stream (stop, deactivation) and saving where it resumes."""

import threading
import time
from typing import Any

from civicdesk.listening.models import Stream
from civicdesk.listening.rules import RULE_FIELDS, signature, signature_of

RECHECK_SECONDS = 30  # how often a running source checks that its stream is still active


class Watch:
    """Tells a source when to stop: the process is stopping, or the stream was deactivated, changed source, or had
    its rules changed by staff (its thread then starts again with them)."""

    def __init__(self, stream: Stream, stop: threading.Event) -> None:
        self.stream, self.stop = stream, stop
        self.checked = time.monotonic()
        self.rules = signature(stream)

    def running(self) -> bool:
        if self.stop.is_set():
            return False
        if time.monotonic() - self.checked >= RECHECK_SECONDS:
            self.checked = time.monotonic()
            now = (Stream.objects.filter(pk=self.stream.pk, active=True, source=self.stream.source)
                   .values_list(*RULE_FIELDS).first())
            if now is None or signature_of(now) != self.rules:
                return False
        return True

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds` (less when stopped); True while the source should go on."""
        end = time.monotonic() + seconds
        while self.running():
            left = end - time.monotonic()
            if left <= 0:
                return True
            self.stop.wait(min(left, 1.0))
        return False


def save_state(stream: Stream, **values: Any) -> None:
    """Keep where the source resumes (merged into the stream's source_state) without touching other fields."""
    stream.source_state = {**(stream.source_state or {}), **values}
    Stream.objects.filter(pk=stream.pk).update(source_state=stream.source_state)
