"""What a chat event looks like on the wire (the event stream and the polling answer): plain JSON values."""

from typing import Any

from civicdesk.cases.models import Direction
from civicdesk.chat.models import ChatEvent, ChatSession, EventKind


def author_label(user: Any) -> str:
    if user is None:
        return ""
    return (getattr(user, "first_name", "") or user.get_username()).strip()[:60]


def event_json(event: ChatEvent, session_key: str = "") -> dict[str, Any]:
    """One event: {"session", "seq", "kind", "at"} and, for a message, "from" (resident, agent or system), "name",
    "text" and "id" (the sender's message UUID, so its own page recognises it); other kinds carry their data."""
    data: dict[str, Any] = {"session": session_key or str(event.session.key), "seq": event.seq, "kind": event.kind,
                            "at": event.created_at.isoformat()}
    if event.kind == EventKind.MESSAGE and event.message is not None:
        message = event.message
        if message.direction == Direction.INBOUND:
            sender = "resident"
        else:
            sender = "system" if message.is_automatic else "agent"
        data.update({"from": sender, "name": author_label(message.author) if sender == "agent" else "",
                     "text": message.body_text, "id": event.client_id or f"m{message.pk}"})
    else:
        data.update({key: value for key, value in (event.data or {}).items() if key in ("agent", "by")})
    return data


def state_json(session: ChatSession, position: int | None, staffed: bool | None = None) -> dict[str, Any]:
    """The session's state for the resident's page: status, blocked, place in the queue, who is answering."""
    state: dict[str, Any] = {"status": session.status, "blocked": session.blocked, "position": position,
                             "agent": author_label(session.agent) if session.agent_id else "",
                             "case": session.case.number, "last_seq": session.last_seq}
    if staffed is not None:
        state["staffed"] = staffed
    return state
