"""The staff timeline in plain words: each audit event's sentence, with the names its ids stand for read in a few
queries for the whole timeline (users, teams, agencies and the messages delivery failures are about)."""

from typing import Any

from django.contrib.auth import get_user_model

from civicdesk.agencies.models import Agency, Team
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Direction, Message
from civicdesk.cases.queries import TimelineItem
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel
from civicdesk.conversations.failures import plain_reason
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.outbound import SOCIAL_CHANNELS
from civicdesk.inbox.sentences import describe
from civicdesk.inbox.trail_sentences import failure_sentence
from civicdesk.inbox.wording import Names, Sentence
from civicdesk.telephony.queries import calls_of


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


def mark_network_public(messages: list[Any]) -> None:
    """Set `network_public` on each reply that answered a public post or comment (the network shows it to
    everyone): its recipient's conversation on that channel, on its case, is public (one query, none without
    replies on social networks). A recipient with a private conversation there too stays unmarked."""
    replies = [m for m in messages if m.direction == Direction.OUTBOUND and m.channel in SOCIAL_CHANNELS
               and m.recipient]
    if not replies:
        return
    seen: dict[tuple[int, str, str], set[str]] = {}
    rows = (Conversation.objects.filter(case_id__in={m.case_id for m in replies}, channel__in=SOCIAL_CHANNELS)
            .values_list("case_id", "channel", "identity__value", "visibility"))
    for case_id, channel, value, visibility in rows:
        seen.setdefault((case_id, channel, value or ""), set()).add(visibility)
    for message in replies:
        message.network_public = seen.get((message.case_id, message.channel, message.recipient)) == {
            Visibility.PUBLIC.value}


def annotate_events(items: list[TimelineItem]) -> list[TimelineItem]:
    """Set `sentence` on every event item, `failure` on every failed message and `call_info` on every phone
    message, in at most five extra queries."""
    events = [item.event for item in items if item.event is not None]
    names = names_for(events)
    for event in events:
        sentence: Sentence = describe(event, names)
        event.sentence = sentence  # type: ignore[attr-defined]
        event.summary = sentence.text  # type: ignore[attr-defined]
    phone = [item.message for item in items if item.message is not None and item.message.channel == Channel.PHONE]
    calls = calls_of([message.pk for message in phone]) if phone else {}
    for call_message in phone:
        call_message.call_info = calls.get(call_message.pk)  # type: ignore[attr-defined]
    mark_network_public([item.message for item in items if item.message is not None])
    for item in items:
        message: Any = item.message
        if message is not None and message.last_error:
            message.failure = failure_sentence(message.channel, message.recipient, message.last_error)
            message.failure_reason = plain_reason(message.last_error)
    return items
