"""The one ingest pipeline: parse a stored payload, dedupe, resolve the contact, thread or create, route, notify."""

import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Service
from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Attachment, Case, DeliveryStatus, Direction, Message
from civicdesk.cases.routing import Route, RoutingInput, choose_route
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import quarantine
from civicdesk.channels.protocol import NormalizedMessage, ParseError, get_adapter
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.identities import InvalidIdentity
from civicdesk.contacts.queries import identity_for
from civicdesk.conversations import actions as conversation_actions
from civicdesk.conversations import replies, threading
from civicdesk.conversations.delivery import record_bounce
from civicdesk.conversations.entitlement import MENTION_TAG

log = logging.getLogger(__name__)
REUSED_ID_TAG = "reused-message-id"


@dataclass
class IngestResult:
    payload: InboundPayload
    case: Case | None = None
    message: Message | None = None
    created: bool = False



def process(payload: InboundPayload, parsed: NormalizedMessage | None = None) -> IngestResult:
    """Parse and apply a stored payload exactly once. Safe to call again after a crash: it is one transaction.

    `parsed` is what the channel's adapter returns for these stored bytes, when the caller (a view that validated
    the same body before storing it) already has it: the adapter's work is not done twice.
    """
    if payload.status in (PayloadStatus.PROCESSED, PayloadStatus.DUPLICATE, PayloadStatus.IGNORED):
        return IngestResult(payload, payload.case, payload.message)
    if parsed is None:  # an inline caller runs inside the transaction that stored the payload: nothing to count
        InboundPayload.objects.filter(pk=payload.pk).update(attempts=payload.attempts + 1)
    try:
        normalized = parsed or get_adapter(payload.channel).parse(bytes(payload.raw), payload.meta)
    except ParseError as exc:
        quarantine(payload, str(exc))
        get_adapter(payload.channel).quarantined(payload, exc)
        return IngestResult(payload)
    except Exception as exc:  # a bug in a parser must not lose the message either
        log.exception("Parser for %s crashed on payload %s", payload.channel, payload.pk)
        quarantine(payload, f"Parser error: {type(exc).__name__}: {exc}")
        return IngestResult(payload)
    try:
        return apply(payload, normalized)
    except InvalidIdentity as exc:
        quarantine(payload, str(exc))
        return IngestResult(payload)



@transaction.atomic
def apply(payload: InboundPayload, normalized: NormalizedMessage) -> IngestResult:
    finish = {"processed_at": timezone.now()}
    if normalized.is_automatic:  # never a case or a reply; a bounce of one of ours fails that message on its case
        bounced = record_bounce(normalized)
        InboundPayload.objects.filter(pk=payload.pk).update(
            status=PayloadStatus.IGNORED, case=bounced.case if bounced else None, message=bounced, **finish)
        return IngestResult(payload, bounced.case if bounced else None, bounced)
    existing = _already_applied(normalized, payload.content_hash)
    if existing:
        InboundPayload.objects.filter(pk=payload.pk).update(
            status=PayloadStatus.DUPLICATE, case=existing.case, message=existing, **finish
        )
        return IngestResult(payload, existing.case, existing)

    identities = [(i.kind, i.value) for i in [normalized.sender, *normalized.extra_identities] if i]
    contact = resolve_contact(identities, display_name=normalized.contact_name,
                              kind=normalized.contact_kind) if identities else None
    thread = threading.decide(normalized, contact.pk if contact else None)
    case, closed, mentioned = thread.case, thread.follow_up_of, thread.mentioned
    created = case is None
    if case is None:
        case = _new_case(normalized, contact, closed)
        if mentioned is not None:
            case_actions.link_mention(case, mentioned, tag=MENTION_TAG)
    else:
        case_actions.reopen_if_finished(case)
    message = Message.objects.create(
        case=case, direction=Direction.INBOUND, channel=normalized.channel, is_public=False, contact=contact,
        sender_identity=identity_for(normalized.sender.kind, normalized.sender.value) if normalized.sender else None,
        subject=normalized.subject[:300], body_text=normalized.body_text, body_html=normalized.body_html,
        visible_text=normalized.visible_text or normalized.body_text,
        provider_message_id=normalized.provider_message_id[:300], content_hash=payload.content_hash,
        email_message_id=normalized.email_message_id[:300], recipient=normalized.recipient[:320],
        delivery_status=DeliveryStatus.RECEIVED, created_at=timezone.now(),
    )
    for item in normalized.attachments:
        Attachment.objects.create(
            message=message, file=ContentFile(item.content, name=item.filename or "attachment"),
            filename=item.filename[:255] or "attachment", content_type=item.content_type[:120],
            size=len(item.content), content_id=item.content_id[:255], is_public=item.is_public,
        )
    conversation_actions.record_inbound(normalized, thread.conversation, case=case, contact_id=message.contact_id,
                                        identity_id=message.sender_identity_id, at=message.created_at)
    if payload.reuses_provider_id:
        flag_reused_id(case, normalized.provider_message_id)
    InboundPayload.objects.filter(pk=payload.pk).update(
        status=PayloadStatus.PROCESSED, case=case, message=message, error="", **finish
    )
    if created:
        replies.acknowledge(case)
    return IngestResult(payload, case, message, created)



def _new_case(normalized: NormalizedMessage, contact: Any, closed: Case | None) -> Case:
    """Step 5 for a message that continues no open case: route it (or follow the closed case it is about)."""
    service = normalized.service or (Service.objects.select_related("agency", "default_team").filter(
        code=normalized.service_code).first() if normalized.service_code else None)
    if closed is not None and service is None:  # a follow-up goes where the closed case was handled
        service = closed.service
        route = Route(closed.agency, None, f"Follow-up of closed case {closed.number}")
    else:
        route = normalized.route or choose_route(RoutingInput(
            service=service, agency_slug=normalized.agency_slug, lat=normalized.lat, lon=normalized.lon))
    case = case_actions.create_case(
        channel=normalized.channel, route=route, service=service, contact=contact,
        subject=normalized.subject, description=normalized.visible_text or normalized.body_text,
        attributes=normalized.attributes, address=normalized.address, lat=normalized.lat, lon=normalized.lon,
        source_app=normalized.source_app,
    )
    if closed is not None:
        case_actions.link_follow_up(case, closed)
    return case



def flag_reused_id(case: Case, provider_message_id: str) -> None:
    """Staff see on the case that its message shares an id with an earlier, different one (both were kept)."""
    reason = gettext("This message reuses the id %(id)s of an earlier message with different content; both were "
                     "kept.") % {"id": provider_message_id[:300]}
    case_actions.flag_case(case, REUSED_ID_TAG, reason=reason, actor_label=case.channel)



def _already_applied(normalized: NormalizedMessage, content_hash: str) -> Message | None:
    """The message this provider message (with this content) already became, if any (only ids are selected)."""
    if not normalized.provider_message_id:
        return None
    found = list(Message.objects.filter(
        channel=normalized.channel, provider_message_id=normalized.provider_message_id, direction=Direction.INBOUND,
        content_hash=content_hash,
    ).exclude(provider_message_id="").order_by().values_list("pk", flat=True)[:1])  # the exclude lets SQLite use
    # the partial unique index (its WHERE must appear verbatim); without it this scans every message
    return Message.objects.select_related("case").get(pk=found[0]) if found else None



def replay(payload: InboundPayload) -> IngestResult:
    """An admin's replay of a quarantined payload, after a fix to the parser or the data."""
    InboundPayload.objects.filter(pk=payload.pk).update(status=PayloadStatus.RECEIVED, error="")
    payload.refresh_from_db()
    return process(payload)
