"""Who else has a case page open, and whether they are writing: read from the shared presence table."""

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.inbox.models import CasePresence, PresenceState

HEARTBEAT_SECONDS = 12  # how often an open case page says it is still there (and asks who else is); with the
# page's event stream open this beat is all an idle case tab asks (bench/bench_idle_tab.py)
# Sent on each heartbeat (sender: the user): a receiver may return response headers for the page, so the beat
# carries what the tab would otherwise poll for (the notification bell's count, from the notifications app above).
heartbeat = Signal()
STRENGTH = {PresenceState.VIEWING: 0, PresenceState.NOTING: 1, PresenceState.REPLYING: 2}


@dataclass(frozen=True)
class Present:
    """One other staff member on the case: their name and the most telling of their tabs' states."""

    name: str
    state: str

    @property
    def replying(self) -> bool:
        return self.state == PresenceState.REPLYING

    @property
    def noting(self) -> bool:
        return self.state == PresenceState.NOTING


def others_present(case: Case, user: Any) -> list[Present]:
    """The other staff with the case open right now (unexpired rows), writers first, then by name; one query."""
    rows = (CasePresence.objects.filter(case=case, expires_at__gte=timezone.now()).exclude(user_id=user.pk)
            .exclude(state=PresenceState.GONE)
            .select_related("user").order_by("user_id"))
    best: dict[int, tuple[str, str]] = {}
    for row in rows:
        name = row.user.get_full_name() or row.user.get_username()
        current = best.get(row.user_id)
        if current is None or STRENGTH.get(PresenceState(row.state), 0) > STRENGTH.get(PresenceState(current[1]), 0):
            best[row.user_id] = (name, row.state)
    people = [Present(name, state) for name, state in best.values()]
    return sorted(people, key=lambda p: (-STRENGTH.get(PresenceState(p.state), 0), p.name.lower()))
