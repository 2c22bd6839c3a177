"""The staff timeline in plain words: each audit event's sentence, with the names its ids stand for read in a few
queries for the whole timeline (users, teams, agencies and the messages delivery failures are about)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from civicdesk.agencies.models import Agency, Team
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Message
from civicdesk.cases.queries import TimelineItem
<<<<<<< HEAD

LABELS = {"assignee": "assignee", "team": "team", "status": "status", "priority": "priority", "tags": "tags",
          "agency": "agency", "survivor": "merged into", "duplicate": "merged in", "related": "linked to"}
ID_FIELDS = ("assignee", "team")
TRANSFER_REQUEST_WORDS = {  # the agencies' names are in the entry, as they were then
    AuditAction.TRANSFER_REQUESTED.value: gettext_lazy(
        "Asked to transfer this case to %(to)s. A supervisor of %(from)s approves or rejects the request."),
    AuditAction.TRANSFER_APPROVED.value: gettext_lazy("Approved the transfer to %(to)s."),
    AuditAction.TRANSFER_REJECTED.value: gettext_lazy(
        "Rejected the transfer to %(to)s: the case stays with %(from)s."),
    AuditAction.TRANSFER_WITHDRAWN.value: gettext_lazy("The request to transfer this case to %(to)s was withdrawn."),
}
=======
from civicdesk.conversations.failures import plain_reason
from civicdesk.inbox.sentences import describe
from civicdesk.inbox.trail_sentences import failure_sentence
from civicdesk.inbox.wording import Names, Sentence
>>>>>>> wt-composer


def _ids(events: list[AuditEntry], key: str) -> set[int]:
    found = set()
    for event in events:
        for side in (event.before or {}, event.after or {}):
            if isinstance(side.get(key), int):
                found.add(side[key])
    return found


def names_for(events: list[AuditEntry]) -> Names:
    """The names behind the ids and slugs of these entries: at most four queries, none for what is not there."""
    names = Names()
    users, teams = _ids(events, "assignee"), _ids(events, "team")
    agencies = {str(side["agency"]) for event in events for side in (event.before or {}, event.after or {})
                if side.get("agency")}
    messages = {int(event.after["message"]) for event in events
                if event.action == AuditAction.DELIVERY_FAILED and isinstance((event.after or {}).get("message"), int)}
    if users:
        names.users = {user.pk: user.get_full_name() or user.get_username()
                       for user in get_user_model().objects.filter(pk__in=users)}
    if teams:
        names.teams = dict(Team.objects.filter(pk__in=teams).values_list("pk", "name"))
    if agencies:
        names.agencies = dict(Agency.objects.filter(slug__in=agencies).values_list("slug", "name"))
    if messages:
        names.messages = {pk: (channel, recipient) for pk, channel, recipient
                          in Message.objects.filter(pk__in=messages).values_list("pk", "channel", "recipient")}
    return names


<<<<<<< HEAD
def summarize(event: AuditEntry, names: dict[str, dict[Any, str]]) -> str:
    before, after = event.before or {}, event.after or {}
    if event.action == AuditAction.DELIVERY_FAILED:
        return f"{after.get('channel', '')} delivery failed after {after.get('attempts', '?')} attempts"
    if event.action in TRANSFER_REQUEST_WORDS:
        return TRANSFER_REQUEST_WORDS[event.action] % {"to": after.get("to_agency", "?"),
                                                        "from": after.get("from_agency", "?")}
    parts = []
    for key, label in LABELS.items():
        lookup = names.get(key, {})
        if key in before and key in after:
            parts.append(f"{label}: {_value(before[key], lookup)} → {_value(after[key], lookup)}")
        elif key in after:
            parts.append(f"{label}: {_value(after[key], lookup)}")
        elif key in before:
            parts.append(f"{label} was {_value(before[key], lookup)}")
    return "; ".join(parts)


=======
>>>>>>> wt-composer
def annotate_events(items: list[TimelineItem]) -> list[TimelineItem]:
    """Set `sentence` on every event item and `failure` on every failed message, in at most four extra queries."""
    events = [item.event for item in items if item.event is not None]
    names = names_for(events)
    for event in events:
        sentence: Sentence = describe(event, names)
        event.sentence = sentence  # type: ignore[attr-defined]
        event.summary = sentence.text  # type: ignore[attr-defined]
    for item in items:
        message: Any = item.message
        if message is not None and message.last_error:
            message.failure = failure_sentence(message.channel, message.recipient, message.last_error)
            message.failure_reason = plain_reason(message.last_error)
    return items
