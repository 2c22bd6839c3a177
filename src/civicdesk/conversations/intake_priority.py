"""Automatic messages yield to intake: in a surge, acknowledgements wait (a bounded time) while texts received
are still waiting to be put on cases. Their worker's low CPU priority does not reach the database server, where
each send's queries would otherwise compete with intake's."""

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from civicdesk.cases.models import Message
from civicdesk.channels import intake_lag
from civicdesk.core.jobs import payloads_are_queued

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


def hold_automatic(message_ids: Sequence[int], *, sleep: Callable[[float], None] | None = None) -> float:
    """For a delivery job whose messages are all automatic (a reply a person wrote never waits): wait while intake
    is more than AUTOMATIC_HOLD_LAG_SECONDS behind, until AUTOMATIC_HOLD_MAX_SECONDS after the oldest of them was
    made; the seconds waited. No wait when the hold is off, or where no batch worker takes payloads from the table
    (an immediate task backend: tests)."""
    lag, longest = settings.AUTOMATIC_HOLD_LAG_SECONDS, settings.AUTOMATIC_HOLD_MAX_SECONDS
    if lag <= 0 or longest <= 0 or not payloads_are_queued():
        return 0.0
    rows = list(Message.objects.filter(pk__in=message_ids).values_list("created_at", "is_automatic"))
    if not rows or not all(automatic for _made, automatic in rows):
        return 0.0
    deadline = min(made for made, _automatic in rows) + timedelta(seconds=longest)
    waited = 0.0
    pause = sleep or time.sleep
    while timezone.now() < deadline and intake_lag.seconds_behind() > lag:
        pause(POLL_SECONDS)
        waited += POLL_SECONDS
    if waited:
        log.info("Automatic messages waited %.1f s for inbound intake to catch up", waited)
    return waited
