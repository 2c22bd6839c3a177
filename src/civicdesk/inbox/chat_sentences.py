"""Sentences for the live chat's trail: an agent ended a chat, or ended it and blocked the resident's session."""

from collections.abc import Callable

from django.utils.translation import gettext, ngettext

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.inbox.wording import Names, Sentence, with_actor


def _length(values: dict[str, object]) -> str:
    """"after 12 messages" (the chat's messages both ways), or "" when not known."""
    count = values.get("messages")
    if not isinstance(count, int) or count <= 0:
        return ""
    return ngettext("after %(n)s message", "after %(n)s messages", count) % {"n": count}


def chat_ended(e: AuditEntry, names: Names, by: str) -> Sentence:
    length = _length(e.after or {})
    if length:
        return Sentence(with_actor(by, gettext("%(name)s ended the live chat %(length)s"),
                                   gettext("The live chat was ended %(length)s"), length=length))
    return Sentence(with_actor(by, gettext("%(name)s ended the live chat"), gettext("The live chat was ended")))


def chat_blocked(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(with_actor(by, gettext("%(name)s ended the live chat and blocked the resident's chat session"),
                               gettext("The live chat was ended and the resident's chat session blocked")),
                    detail=e.reason)


CHAT_DESCRIBERS: dict[str, Callable[[AuditEntry, Names, str], Sentence]] = {
    AuditAction.CHAT_ENDED: chat_ended, AuditAction.CHAT_BLOCKED: chat_blocked}
