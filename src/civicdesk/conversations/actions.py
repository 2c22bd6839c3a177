"""Writes to conversations: an inbound message creates or moves its conversation, in the pipeline's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel
from civicdesk.conversations.capabilities import capabilities
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.threading import threads_by_conversation
from civicdesk.core.gathering import gathering
from civicdesk.core.row_updates import update_rows

TIMES = ["last_inbound_at", "reply_window_until"]
_times: ContextVar[dict[int, Conversation] | None] = ContextVar("conversation_times", default=None)


@contextmanager
def times_gathered() -> Iterator[None]:
    """Inside, a conversation whose message continues it in place (same case, contact, identity and visibility)
    has its last inbound time and reply window written by one UPDATE for all of them when the block ends without
    an error (the batch worker's group, whose transaction spans it). Nothing read inside depends on those two
    columns before the commit: a conversation's silence (threading) only matters when its case changes, which is
    written at once."""
    with gathering(_times, {}, lambda pending: update_rows(Conversation, list(pending.values()), TIMES)):
        yield


def email_thread_key(case_id: int, identity_id: int) -> str:
    """A mail thread is a case's chain of Message-IDs with one of the resident's addresses (our References carry
    the whole case), so its key is the pair; the backfill of older mail uses the same."""
    return f"case-{case_id}/identity-{identity_id}"


def thread_key(message: Any, case: Case, identity_id: int | None) -> str:
    """The conversation key of an inbound message: the channel's own, or the case's mail thread; "" for none."""
    if threads_by_conversation(message):
        return str(message.conversation_key)[:300]
    if message.channel == Channel.EMAIL and identity_id is not None:
        return email_thread_key(case.pk, identity_id)
    return ""  # a portal form or an Open311 request: replies go by the contact's email or to the status page


def record_inbound(message: Any, found: Conversation | None, *, case: Case, contact_id: int | None,
                   identity_id: int | None, at: datetime | None = None) -> Conversation | None:
    """The message's conversation now points at its case and its sender, with the time and reply window; the
    caller (the pipeline's apply) holds the transaction. `found` is the conversation threading already read.

    Returns the conversation, or None when there is none (a portal form) or a mail thread's row was updated.
    """
    key = thread_key(message, case, identity_id)
    if not key:
        return None
    at = at or timezone.now()
    window = capabilities(message.channel).reply_window
    values = {
        "case": case, "contact_id": contact_id, "identity_id": identity_id, "last_inbound_at": at,
        "visibility": getattr(message, "visibility", "") or Visibility.PRIVATE,
        "reply_window_until": at + window if window else None,
    }
    if found is not None:
        pending = _times.get()
        same_place = (found.case_id == case.pk and found.contact_id == contact_id and found.identity_id == identity_id
                      and found.visibility == values["visibility"])
        for field, value in values.items():
            setattr(found, field, value)
        if pending is not None and same_place:
            pending[found.pk] = found  # only its times move: written with the group's others at its end
        else:
            if pending is not None:
                pending.pop(found.pk, None)  # this write is newer than any held for it
            Conversation.objects.filter(pk=found.pk).update(**values)
        return found
    account_id = getattr(message, "account_id", None)
    if not threads_by_conversation(message):  # a mail thread met again (its key names the case): not read yet
        same = Conversation.objects.filter(channel=message.channel, thread_key=key)
        if same.update(**values):
            return None
    # A race with another worker on a new key fails this transaction on the unique index; the job runs again.
    return Conversation.objects.create(account_id=account_id, channel=message.channel, thread_key=key,
                                       created_at=at, **values)
