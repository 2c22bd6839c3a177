"""Which case an inbound message continues: its conversation, then our message ids, then a case number it names."""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from civicdesk.cases.models import Case, CaseStatus, Message
from civicdesk.channels.models import Channel
from civicdesk.conversations.entitlement import may_thread
from civicdesk.conversations.models import Conversation
from civicdesk.core import prefetch

CASE_NUMBER_RE = re.compile(r"\b([A-Z]{2,5}-\d{4}-\d{6})\b")


@dataclass
class Thread:
    """Where a message goes: the open case it continues, or a new case linked to an earlier or a named one."""

    case: Case | None = None  # the case the message continues; None: a new case
    follow_up_of: Case | None = None  # the earlier case a new case is linked to (closed, or silent too long)
    mentioned: Case | None = None  # a case the sender named but may not write into
    conversation: Conversation | None = None  # the conversation it arrived on, when it already exists


def threads_by_conversation(message: Any) -> bool:
    """Email threads by references (and its conversation is a case's mail thread); other channels by their key."""
    return bool(getattr(message, "conversation_key", "")) and message.channel != Channel.EMAIL


def find_conversation(message: Any) -> Conversation | None:
    """The conversation of a message's channel key on its account (or on its channel, for channels without)."""
    if not threads_by_conversation(message):
        return None
    key = message.conversation_key[:300]
    account_id = getattr(message, "account_id", None)
    known = prefetch.take("conversation", conversation_key(message))  # read for the batch worker's whole group
    if known is not prefetch.MISS:
        return known  # type: ignore[no-any-return]
    found = Conversation.objects.select_related("case")
    if account_id:
        return found.filter(account_id=account_id, thread_key=key).first()
    return found.filter(account__isnull=True, channel=message.channel, thread_key=key).first()


def conversation_key(message: Any) -> tuple[int | None, str, str]:
    """What names a message's conversation, as find_conversation looks it up: (its account, "", its key), or for a
    channel without accounts (None, its channel, its key)."""
    account_id = getattr(message, "account_id", None) or None
    return account_id, "" if account_id else message.channel, message.conversation_key[:300]


def is_silent(conversation: Conversation) -> bool:
    """No message from the resident for CONVERSATION_SILENCE_DAYS: the next one starts a new case."""
    if conversation.last_inbound_at is None:
        return False
    return conversation.last_inbound_at < timezone.now() - timedelta(days=settings.CONVERSATION_SILENCE_DAYS)


def decide(message: Any, contact_id: int | None) -> Thread:
    """Step 4: the open case of the message's conversation; else a case it references or names, if the sender may
    write into it; else a new case (linked to the earlier one when the conversation's case is closed or silent)."""
    conversation = find_conversation(message)
    if message.always_new_case:
        return Thread(conversation=conversation)
    if conversation is not None and conversation.case is not None:
        current = _survivor(conversation.case)
        if current.status == CaseStatus.CLOSED or is_silent(conversation):
            return Thread(follow_up_of=current, conversation=conversation)
        if (contact_id is not None and conversation.contact_id == contact_id) or may_thread(current, message):
            return Thread(case=current, conversation=conversation)
        return Thread(mentioned=current, conversation=conversation)
    case = find_thread(message)
    if case is not None and not may_thread(case, message):
        return Thread(mentioned=case, conversation=conversation)  # a case number is no credential
    if case is not None and case.status == CaseStatus.CLOSED:
        return Thread(follow_up_of=case, conversation=conversation)  # not reopened: a new case, linked
    return Thread(case=case, conversation=conversation)


def find_thread(message: Any) -> Case | None:
    """The case this message continues by our message ids (for a social post, its parent's provider id), then by a
    case number given explicitly, in the subject or in the new text of the body (may be closed). A number is no
    credential: decide() joins the case only when the sender is entitled to it (entitlement.may_thread)."""
    case = None
    if message.thread_refs:
        refs = (Message.objects.filter(email_message_id__in=message.thread_refs) if message.channel == Channel.EMAIL
                else Message.objects.filter(channel=message.channel, provider_message_id__in=message.thread_refs))
        ref = refs.select_related("case").order_by("-created_at").first()
        case = ref.case if ref else None
    if case is None:
        number = (message.case_number or _case_number_in(message.subject)
                  or _case_number_in(message.visible_text or message.body_text))
        if number:
            case = Case.objects.filter(number=number).first()
    return _survivor(case) if case is not None else None


def _survivor(case: Case) -> Case:
    while case.merged_into_id:
        case = Case.objects.get(pk=case.merged_into_id)
    return case


def _case_number_in(text: str) -> str:
    match = CASE_NUMBER_RE.search(text or "")
    return match.group(1) if match else ""
