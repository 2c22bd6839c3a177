"""Request and response shapes of the REST API (they become the OpenAPI document at /api/docs)."""

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from civicdesk.cases.models import Case, CaseStatus, Message, Priority, ReplyAudience
from civicdesk.cases.queries import TimelineItem
from civicdesk.inbox.forms import TRANSFER_REASON_LENGTH
from civicdesk.web.params import MAX_DB_INT


class ContactOut(Schema):
    id: int
    name: str
    kind: str


class CaseItemOut(Schema):
    number: str
    channel: str
    status: str
    priority: str
    agency: str = Field(description="The owning agency's slug.")
    service: str | None = Field(description="The service code.")
    team: str | None
    assignee: str | None = Field(description="The assignee's username.")
    subject: str
    created: datetime
    updated: datetime
    contact: ContactOut | None


class CaseListOut(Schema):
    count: int = Field(description="Matches, exact up to 1000.")
    count_capped: bool = Field(description="True when there are more than 1000 matches.")
    page: int
    has_next: bool
    items: list[CaseItemOut]


class TimelineEntryOut(Schema):
    at: datetime
    kind: str = Field(description="in, out, note or event.")
    channel: str | None = None
    author: str | None = None
    text: str | None = None
    is_public: bool | None = None
    delivery_status: str | None = None
    action: str | None = Field(None, description="For events: the audit action, e.g. status_changed.")
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None


class CaseDetailOut(CaseItemOut):
    description: str
    address: str
    lat: float | None
    lon: float | None
    attributes: dict[str, Any]
    tags: list[str]
    merged_into: str | None
    timeline: list[TimelineEntryOut]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("must not contain a NUL character"))
    return value


QueryText = Annotated[str, AfterValidator(_no_nul)]
"""A query-string value: any text but NUL (which PostgreSQL cannot even compare with)."""
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_no_nul)]
"""Text written by staff, stripped like the forms strip it; the field gives the form's length limits."""


class TextIn(Schema):
    text: Text = Field(min_length=1, max_length=settings.MAX_TEXT_LENGTH,
                       description=f"Plain text, at most {settings.MAX_TEXT_LENGTH} characters (MAX_TEXT_LENGTH), "
                                   "like the reply and note forms.")


class ReplyIn(TextIn):
    audience: ReplyAudience = Field(
        ReplyAudience.PRIVATE,
        description="Who sees the reply. `private` (the default): the resident alone, by the channel of origin "
                    "and on their own status page. `public`: a public update, shown on the status page, the public "
                    "map and Open311, and sent by email to the resident and every follower of the case.")
    identity: str = Field(
        "", max_length=320,
        description="Optional: one of the resident's own addresses, numbers or handles to send the reply to. "
                    "Empty (the default): the conversation the resident last wrote on.")


class AssignIn(Schema):
    assignee: Text | None = Field(None, max_length=150,
                                  description="A username of the case agency's staff; null unassigns.")
    team: int | None = Field(None, ge=1, le=MAX_DB_INT, description="A team id of the case's agency; null for no team.")


class TransferIn(Schema):
    agency: Text = Field(max_length=50, description="The slug of the agency to transfer to.")
    reason: Text = Field(min_length=1, max_length=TRANSFER_REASON_LENGTH,
                         description=f"At most {TRANSFER_REASON_LENGTH} characters, like the transfer form.")


class StatusIn(Schema):
    status: CaseStatus


class PriorityIn(Schema):
    priority: Priority


class MessageOut(Schema):
    id: int
    kind: str
    channel: str
    is_public: bool
    delivery_status: str
    created: datetime


class ErrorOut(Schema):
    detail: str | list[Any]


def contact_out(case: Case) -> dict[str, Any] | None:
    if case.contact is None:
        return None
    return {"id": case.contact.pk, "name": str(case.contact), "kind": case.contact.kind}


def case_item(case: Case) -> dict[str, Any]:
    """The list fields of a case; the case must come with agency, team, assignee, service and contact joined."""
    return {
        "number": case.number, "channel": case.channel, "status": case.status, "priority": case.priority,
        "agency": case.agency.slug, "service": case.service.code if case.service else None,
        "team": case.team.name if case.team else None,
        "assignee": case.assignee.get_username() if case.assignee else None,
        "subject": case.subject, "created": case.created_at, "updated": case.updated_at,
        "contact": contact_out(case),
    }


def timeline_entry(item: TimelineItem) -> dict[str, Any]:
    if item.message is not None:
        message = item.message
        author = message.author.get_username() if message.author else (str(message.contact) if message.contact else "")
        return {"at": item.at, "kind": item.kind, "channel": message.channel, "author": author or None,
                "text": message.visible_text or message.body_text, "is_public": message.is_public,
                "delivery_status": message.delivery_status}
    event = item.event
    assert event is not None
    actor = event.actor.get_username() if event.actor else event.actor_label
    return {"at": item.at, "kind": "event", "author": actor or None, "action": event.action,
            "before": event.before or {}, "after": event.after or {}, "reason": event.reason or None}


def message_out(message: Message) -> dict[str, Any]:
    return {"id": message.pk, "kind": message.direction, "channel": message.channel, "is_public": message.is_public,
            "delivery_status": message.delivery_status, "created": message.created_at}
