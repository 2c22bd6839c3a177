"""Reads of telephony: the calls behind timeline messages."""

from collections.abc import Iterable

from civicdesk.telephony.models import Call


def calls_of(message_ids: Iterable[int]) -> dict[int, Call]:
    """The call of each of these messages that has one (one query), by message id."""
    return {call.message_id: call for call in Call.objects.filter(message_id__in=list(message_ids))
            .select_related("logged_by")}
