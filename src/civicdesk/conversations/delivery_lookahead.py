"""What a job sending many messages at once (deliver_messages) reads for all of them in one query per kind.

Each send asks core.prefetch first (see its docstring): its row with its case and contact (delivery.start_attempt,
whose compare-and-set refuses a row another worker moved since), its sending account (outbound.sending_account) and
whether it has attachments (outbound's _attachments). Whether the resident opted out is not read ahead: each send
reads it just before calling the provider.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from civicdesk.cases.models import Attachment, Direction, Message
from civicdesk.conversations.delivery import OUTBOUND_ROW
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.outbound import ACCOUNT_CHANNELS, HAS_ATTACHMENTS, SENDING_ACCOUNT


def answers(message_ids: Sequence[int]) -> dict[str, dict[Any, Any]]:
    """{kind: {message id: answer}}; a message whose sending account is found by the fallback (the case agency's
    first account, no conversation to go by) is left out, and looked up as usual."""
    messages = {message.pk: message for message in Message.objects.select_related("case", "contact").filter(
        pk__in=message_ids, direction=Direction.OUTBOUND)}
    with_files = set(Attachment.objects.filter(message_id__in=message_ids).values_list("message_id", flat=True))
    found: dict[str, dict[Any, Any]] = {OUTBOUND_ROW: {pk: messages.get(pk) for pk in message_ids},
                                        HAS_ATTACHMENTS: {pk: pk in with_files for pk in messages},
                                        SENDING_ACCOUNT: {}}
    on_accounts = [message for message in messages.values()
                   if message.channel in ACCOUNT_CHANNELS and message.recipient]
    if not on_accounts:
        return found
    talks: dict[tuple[str, str], list[Conversation]] = defaultdict(list)
    for talk in (Conversation.objects.select_related("account", "identity")
                 .filter(channel__in={m.channel for m in on_accounts}, account__isnull=False,
                         account__is_active=True, identity__value__in={m.recipient for m in on_accounts})
                 .order_by("-last_inbound_at", "-id")):
        if talk.identity is not None:
            talks[talk.channel, talk.identity.value].append(talk)
    for message in on_accounts:  # as sending_account chooses: the case's conversation, else the latest
        candidates = talks.get((message.channel, message.recipient), [])
        chosen = next((talk for talk in candidates if message.case_id and talk.case_id == message.case_id), None)
        chosen = chosen or next(iter(candidates), None)
        if chosen is not None:
            found[SENDING_ACCOUNT][message.pk] = chosen.account
    return found
