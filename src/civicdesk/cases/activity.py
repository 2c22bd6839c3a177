"""A case's last activity (updated_at) when nothing else of it changes: written at once, or, inside `gathered()`, for
every case of an inbound batch group by one UPDATE when the group ends (a dozen texts continuing a dozen cases)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.core.gathering import gathering

_touched: ContextVar[set[int] | None] = ContextVar("touched_cases", default=None)


def deferred(case: Case) -> bool:
    """Whether the case's updated_at waits for the end of the group (True inside `gathered()`)."""
    pending = _touched.get()
    if pending is None or case.pk is None:
        return False
    pending.add(case.pk)
    return True


@contextmanager
def gathered() -> Iterator[None]:
    """The updated_at of the cases touched inside, written by one UPDATE when it ends without an error; the caller's
    transaction spans it, so the times commit, or roll back, with the messages that moved them."""
    with gathering(_touched, set(), lambda pending: Case.objects.filter(pk__in=sorted(pending)).update(
            updated_at=timezone.now())):
        yield
