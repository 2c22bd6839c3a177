"""Read-only lookups of the desk's chat pages: the agent's queue, their chats with transcripts, a session in scope.

Scoping is chat.queries' (a session's agency is one of the agent's, or they are an administrator): an agent never
sees, takes or reads another agency's chats.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from civicdesk.cases.permissions import supervises
from civicdesk.chat import queries as chat_queries
from civicdesk.chat.models import ChatEvent, ChatSession, ChatStatus
from civicdesk.chat.queries import Waiting
from civicdesk.chat.wire import author_label, event_json


@dataclass
class Panel:
    """One of the agent's chats on the desk: the session and its events as the wire carries them."""

    session: ChatSession
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.session.key)

    @property
    def last_seq(self) -> int:
        return self.events[-1]["seq"] if self.events else 0

    @property
    def resident(self) -> str:
        return self.session.name or gettext("Resident")


def queue(agent: Any) -> list[Waiting]:
    """The waiting chats the agent may take, oldest first, with how long each has waited."""
    return chat_queries.waiting_sessions(agent)


def queue_signature(waiting: list[Waiting]) -> str:
    """What the desk's live check compares: the waiting sessions, in order (a change of any refreshes the list)."""
    return hashlib.sha256(",".join(str(w.session.pk) for w in waiting).encode()).hexdigest()[:16]


def waiting_count(agent: Any) -> int:
    """How many chats of the agent's agencies wait for someone (the staff header's count); one query."""
    scope = chat_queries.scope_agency_ids(agent)
    rows = ChatSession.objects.filter(status=ChatStatus.WAITING)
    return (rows if scope is None else rows.filter(agency_id__in=scope)).count()


def panels(agent: Any) -> list[Panel]:
    """The agent's chats in progress, oldest first, each with its whole event log: two queries in all."""
    sessions = chat_queries.active_sessions(agent)
    found = {session.pk: Panel(session) for session in sessions}
    if found:
        rows = (ChatEvent.objects.filter(session_id__in=list(found)).select_related("message", "message__author")
                .order_by("session_id", "seq"))
        for event in rows:
            panel = found[event.session_id]
            panel.events.append(event_json(event, panel.key))
    return list(found.values())


def held_keys(agent: Any) -> list[str]:
    """The public keys of the agent's chats in progress (the live check compares them with the page's panels)."""
    return [str(key) for key in ChatSession.objects.filter(agent=agent, status=ChatStatus.ACTIVE)
            .order_by("accepted_at", "pk").values_list("key", flat=True)]


def session_in_scope(agent: Any, key: Any) -> ChatSession | None:
    """The session with this key if it is of one of the agent's agencies (None: 404, whether it exists or not)."""
    session = ChatSession.objects.select_related("agency", "case", "agent").filter(key=key).first()
    if session is None or not chat_queries.may_handle(agent, session):
        return None
    return session


def may_end(agent: Any, session: ChatSession) -> bool:
    """The answering agent ends (or blocks) their chat; a supervisor of its agency may end anyone's, or a waiting
    one (an abusive session in the queue)."""
    return session.agent_id == agent.pk or supervises(agent, session.agency_id)


def why_not_taken(session: ChatSession) -> str:
    """Why accepting failed, read again after the refusal: who took it first, or that it ended."""
    fresh = ChatSession.objects.select_related("agent").get(pk=session.pk)
    if fresh.status == ChatStatus.ACTIVE and fresh.agent is not None:
        return gettext("%(name)s accepted this chat first; it is no longer in the queue.") % {
            "name": author_label(fresh.agent)}
    return gettext("This chat ended before you could accept it; it is no longer in the queue.")


def events_after(session: ChatSession, after: int) -> list[dict[str, Any]]:
    return [event_json(event, str(session.key)) for event in chat_queries.events_after(session, after)]


def cursors(agent: Any, raw: list[str]) -> dict[int, tuple[str, int]]:
    """The page's cursors ("<key>:<seq>", one per open panel) for the agent's own active chats, by session id;
    others (a chat another agent took over, a made-up key) are dropped."""
    wanted: dict[str, int] = {}
    for item in raw[:50]:
        key, _, seq = item.partition(":")
        if seq.isascii() and seq.isdigit() and len(seq) < 10 and len(key) <= 40:
            wanted[key.lower()] = int(seq)
    if not wanted:
        return {}
    rows = ChatSession.objects.filter(agent=agent, status__in=ChatStatus.live()).values_list("pk", "key")
    return {pk: (str(key), wanted[str(key)]) for pk, key in rows if str(key) in wanted}
