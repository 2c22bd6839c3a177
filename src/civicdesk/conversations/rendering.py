"""Each channel renders its own replies from templates (conversations/replies/<channel>/), through gettext."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.template.loader import select_template

from civicdesk.cases.followers import status_url
from civicdesk.cases.models import Case
from civicdesk.contacts.languages import writing_to
from civicdesk.conversations.capabilities import capabilities

ELLIPSIS = "…"
MAX_SUBJECT = 300  # Message.subject


@dataclass(frozen=True)
class Rendered:
    subject: str  # "" where the channel has no subjects
    text: str  # plain text, within the channel's length limit


class ReplyKind(models.TextChoices):
    """Which template renders the text: replies/<channel>/<kind>.txt."""

    REPLY = "reply", "An agent's text, or an automatic notice"
    ACKNOWLEDGEMENT = "acknowledgement", "The confirmation of a new case"


def render(channel: str, case: Case, kind: str, **context: Any) -> Rendered:
    """The subject (with the case number) where the channel has subjects, and the text cut to its length limit.

    A channel's own template (replies/sms/acknowledgement.txt) wins over the default one. Replies are plain text:
    no channel gets HTML it would have to render. They are written in the language of the case's resident (the one
    they last used on the portal), whatever language the staff member's own page is in.
    """
    caps = capabilities(channel)
    values = {"case": case, "status_url": status_url(case), "channel": channel, **context}
    with writing_to(case.contact if case.contact_id else None):
        subject = _render(channel, "subject.txt", values) if caps.subjects else ""
        text = _render(channel, f"{kind}.txt", values)
    return Rendered(subject=subject[:MAX_SUBJECT], text=fit(text, caps.max_length))


def fit(text: str, limit: int | None) -> str:
    """The text within `limit` characters: cut at the last space in the final stretch, marked with an ellipsis."""
    text = text.strip()
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit - len(ELLIPSIS)]
    space = cut.rfind(" ", max(0, len(cut) - 40))
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _render(channel: str, name: str, values: dict[str, Any]) -> str:
    template = select_template([f"conversations/replies/{channel}/{name}", f"conversations/replies/default/{name}"])
    return str(template.render(values)).strip()
