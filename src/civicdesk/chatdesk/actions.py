"""Writes of the desk's live chat: accept, end, end and block (audited on the case), and the availability switch.

Each wraps the chat app's action (which locks the session row) in one transaction with its audit entry; the caller
pokes the live transport on commit.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.chat import actions as chat_actions
from civicdesk.chat.models import AgentAvailability, ChatEvent, ChatSession, EventKind
from civicdesk.chatdesk import queries


class NotAllowed(chat_actions.ChatRefused):
    status = 403


def accept(session: ChatSession, agent: Any) -> ChatSession:
    """Take a waiting chat (and its case). A lost race raises ChatRefused with who took it first, in plain words."""
    try:
        return chat_actions.accept_session(session, agent)
    except chat_actions.SessionClosed as exc:
        raise chat_actions.SessionClosed(queries.why_not_taken(session)) from exc


def _check(session: ChatSession, agent: Any) -> None:
    if not queries.may_end(agent, session):
        raise NotAllowed(gettext("Only the agent answering this chat, or a supervisor of its agency, can end it."))


def _length(session: ChatSession) -> dict[str, Any]:
    return {"session": str(session.key),
            "messages": ChatEvent.objects.filter(session=session, kind=EventKind.MESSAGE).count()}


@transaction.atomic
def end(session: ChatSession, agent: Any) -> ChatSession:
    """End a live chat; the case stays open and goes on by the resident's email or SMS. Ending an ended chat does
    nothing (and writes nothing)."""
    _check(session, agent)
    was_live = ChatSession.objects.select_for_update().filter(pk=session.pk, status__in=["waiting", "active"]).exists()
    ended = chat_actions.end_session(session, by_agent=agent)
    if was_live:
        record(AuditAction.CHAT_ENDED, case=ended.case, actor=agent, after=_length(ended))
    return ended


@transaction.atomic
def end_and_block(session: ChatSession, agent: Any, *, reason: str = "") -> ChatSession:
    """End the chat and block its session (the resident's page can post no more; the case is tagged chat-blocked),
    with the agent's reason on the timeline. Blocking a blocked session does nothing."""
    _check(session, agent)
    reason = " ".join(reason.split())[:500]
    was_blocked = ChatSession.objects.select_for_update().filter(pk=session.pk, blocked=True).exists()
    blocked = chat_actions.block_session(session, agent, reason=reason)
    if not was_blocked:
        record(AuditAction.CHAT_BLOCKED, case=blocked.case, actor=agent, after=_length(blocked), reason=reason)
    return blocked


@transaction.atomic
def set_available(agent: Any, *, available: bool) -> AgentAvailability:
    """The agent's own switch: take chats now (their open desk keeps checking in) or stop."""
    return chat_actions.set_availability(agent, accepting=available)
