"""What a group of inbound messages will look up one by one, read in one query per kind before the group is applied
(held by core.prefetch for the pipeline's own lookups: the sender's identity, the conversation, already applied?)."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.events import InboundMessage, OptOut
from civicdesk.channels.models import InboundPayload
from civicdesk.contacts.actions import NewSender
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity
from civicdesk.conversations import pipeline, threading
from civicdesk.conversations.inbound import applied_key
from civicdesk.conversations.keyword_texts import keyword_in
from civicdesk.conversations.models import Conversation


def answers(items: Sequence[tuple[InboundPayload, Sequence[pipeline.Prepared]]]) -> dict[str, dict[Any, Any]]:
    """{kind: {key: answer}} for the messages of `items` (keyword texts are left to their own lookups)."""
    messages: list[tuple[InboundMessage, str]] = []
    for payload, prepared in items:
        for item in prepared:
            event = item.event
            if isinstance(event, InboundMessage) and keyword_in(event) is None:
                single = len(prepared) == 1
                messages.append((event, payload.content_hash if single else pipeline.event_hash(event)))
    if not messages:
        return {}
    return {"applied": _applied(messages), "identity": _identities([m for m, _ in messages]),
            "conversation": _conversations([m for m, _ in messages])}


def new_senders(items: Sequence[tuple[InboundPayload, Sequence[pipeline.Prepared]]],
                held: dict[str, dict[Any, Any]]) -> list[NewSender]:
    """The senders of the group's messages that answers() found no identity for, each the only identity its message
    names: contacts.actions.add_senders adds them all at once. Their acknowledgements read no opt-out (none can name
    an identity added a moment ago), so a sender who also texts a keyword in the group (STOP, then a request) is
    left to the usual path, and so is every sender of a group holding an opt-out event of another kind."""
    if any(isinstance(item.event, OptOut) for _payload, prepared in items for item in prepared):
        return []
    known = held.get("identity", {})
    found: dict[tuple[str, str], NewSender] = {}
    keyworded: set[tuple[str, str]] = set()
    for _payload, prepared in items:
        for item in prepared:
            event = item.event
            if not isinstance(event, InboundMessage) or not event.sender or not event.sender.value:
                continue
            try:
                key = (event.sender.kind, normalize_identity(event.sender.kind, event.sender.value))
            except InvalidIdentity:
                continue
            if keyword_in(event) is not None:
                keyworded.add(key)
            elif not event.extra_identities and key in known and known[key] is None:
                found.setdefault(key, NewSender(*key, event.contact_name, event.contact_kind, event.language))
    return [sender for key, sender in found.items() if key not in keyworded]


def _applied(messages: list[tuple[InboundMessage, str]]) -> dict[Any, Any]:
    keys = {applied_key(message, digest) for message, digest in messages if message.provider_message_id}
    found: dict[Any, Any] = dict.fromkeys(keys)
    by_channel: dict[str, set[str]] = defaultdict(set)
    for channel, provider_id, _digest in keys:
        by_channel[channel].add(provider_id)
    for channel, ids in by_channel.items():
        rows = (Message.objects.filter(channel=channel, provider_message_id__in=ids, direction=Direction.INBOUND)
                .exclude(provider_message_id="").order_by().values_list("provider_message_id", "content_hash", "pk"))
        for provider_id, digest, pk in rows:
            key = (channel, provider_id, digest)
            if key in found and found[key] is None:
                found[key] = pk
    return found


def _identities(messages: list[InboundMessage]) -> dict[Any, Any]:
    keys: set[tuple[str, str]] = set()
    for message in messages:
        for sender in [message.sender, *message.extra_identities]:
            if sender and sender.value:
                try:
                    keys.add((sender.kind, normalize_identity(sender.kind, sender.value)))
                except InvalidIdentity:
                    continue  # the message's own lookup raises it, as without the batch
    found: dict[Any, Any] = dict.fromkeys(keys)
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, value in keys:
        by_kind[kind].add(value)
    if by_kind:
        query = Q()
        for kind, values in by_kind.items():
            query |= Q(kind=kind, value__in=values)
        for identity in Identity.objects.select_related("contact").filter(query).order_by():
            found[(identity.kind, identity.value)] = identity
    return found


def _conversations(messages: list[InboundMessage]) -> dict[Any, Any]:
    keys = {threading.conversation_key(m) for m in messages if threading.threads_by_conversation(m)}
    found: dict[Any, Any] = dict.fromkeys(keys)
    by_owner: dict[tuple[int | None, str], set[str]] = defaultdict(set)
    for account_id, channel, key in keys:
        by_owner[(account_id, channel)].add(key)
    for (account_id, channel), thread_keys in by_owner.items():
        rows = Conversation.objects.select_related("case").filter(thread_key__in=thread_keys).order_by()
        rows = rows.filter(account_id=account_id) if account_id else rows.filter(account__isnull=True,
                                                                                 channel=channel)
        for conversation in rows:  # unique by (account, key), or (channel, key) without an account
            found[(account_id, channel, conversation.thread_key)] = conversation
    return found
