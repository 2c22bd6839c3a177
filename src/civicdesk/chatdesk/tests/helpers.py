"""Helpers of the desk's chat tests: a resident's chat started as the widget starts one."""

import uuid
from typing import Any

from civicdesk.chat import actions as chat_actions
from civicdesk.chat.models import ChatSession


def start_chat(agency: Any, text: str = "Is the pool open today?", **details: Any) -> ChatSession:
    session, _token = chat_actions.start_session(agency=agency, text=text, client_id=str(uuid.uuid4()), **details)
    return session


def resident_says(session: ChatSession, text: str) -> int:
    return chat_actions.post_resident_message(session, text=text, client_id=str(uuid.uuid4())).event.seq
