"""Every write to a case: creation, messages, notes, assignment, status, merge, links (transfers: transfers.py)."""

from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Service, Team
from civicdesk.audit.actions import entry, record, record_all, record_field_changes, snapshot
from civicdesk.audit.models import AuditAction
from civicdesk.cases import activity
from civicdesk.cases.events import CaseAssigned, CaseChanged, CaseCreated, MessageAdded, publish
from civicdesk.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
    Tag,
    normalize_tag_name,
)
from civicdesk.cases.numbering import next_case_number
from civicdesk.cases.routing import Route
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import OutboundAttachment
from civicdesk.channels.queues import delivery_queue
from civicdesk.contacts.models import Contact
from civicdesk.core.jobs import DELIVER_MESSAGE, enqueue_with_transaction


class CaseRefused(ValueError):
    """A change the case itself refuses (merged away, an illegal status change), in plain words for staff."""


class CaseMerged(CaseRefused):
    """A change to a case that was merged into another: a merged-away case is read-only."""


def refuse_if_merged(case: Case) -> None:
    """Staff changes go to the surviving case; a merged-away case keeps its trail as it was."""
    if case.merged_into_id:
        survivor = Case.objects.filter(pk=case.merged_into_id).values_list("number", flat=True).first()
        raise CaseMerged(gettext("%(number)s was merged into %(survivor)s and is read-only: make changes on "
                                 "%(survivor)s. Nothing was changed.") % {"number": case.number, "survivor": survivor})


def clean_tag_name(name: str) -> str:
    """A tag as stored: its one normalised spelling (cases.models.normalize_tag_name)."""
    return normalize_tag_name(name)


def create_case(
    *,
    channel: str,
    route: Route,
    service: Any = None,
    contact: Contact | None = None,
    subject: str = "",
    description: str = "",
    attributes: dict[str, Any] | None = None,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    source_app: str = "",
    actor: Any = None,
) -> Case:
    """Create a case; the caller holds the transaction (ingest does)."""
    now = timezone.now()
    case = Case.objects.create(
        number=next_case_number(timezone.localdate(now).year),
        channel=channel,
        agency=route.agency,
        team=route.team,
        service=service,
        contact=contact,
        subject=subject[:300],
        description=description,
        attributes=attributes or {},
        address=address[:300],
        lat=lat,
        lon=lon,
        source_app=source_app,
        created_at=now,
        updated_at=now,
    )
    record_all([
        entry(AuditAction.CASE_CREATED, case=case, actor=actor, actor_label=channel,
              after={"number": case.number, "agency": route.agency.slug, "channel": channel}),
        entry(AuditAction.ROUTED, case=case, actor_label="router", reason=route.reason,
              after={"agency": route.agency.slug, "team": route.team.pk if route.team else None,
                     **(route.details or {})}),
    ])
    publish(CaseCreated(case, route))
    return case


def touch(case: Case, **changes: Any) -> None:
    for field, value in changes.items():
        setattr(case, field, value)
    case.updated_at = timezone.now()
    if changes or not activity.deferred(case):  # only the time: one UPDATE for the inbound batch group's cases
        case.save(update_fields=[*changes, "updated_at"])
    publish(CaseChanged(case, tuple(changes)))



def reopen_if_finished(case: Case) -> None:
    """A resident's new message: a resolved case reopens, and a case waiting on the resident is open again."""
    if case.status == CaseStatus.RESOLVED:
        before = case.status
        touch(case, status=CaseStatus.OPEN, resolved_at=None)
        record(AuditAction.REOPENED, case=case, actor_label="resident", before={"status": before},
               after={"status": case.status}, reason="The resident wrote again after resolution.")
    elif case.status == CaseStatus.WAITING:
        touch(case, status=CaseStatus.OPEN)
        record(AuditAction.STATUS_CHANGED, case=case, actor_label="resident", before={"status": CaseStatus.WAITING},
               after={"status": case.status}, reason="The resident answered.")
    else:
        touch(case)


def link_follow_up(case: Case, closed: Case) -> None:
    """A message about a closed case (or on a conversation silent too long) made a new case: link the two so staff
    see the history."""
    case.related.add(closed)
    if closed.status == CaseStatus.CLOSED:
        reason = gettext("The resident wrote about %(number)s, which is closed.") % {"number": closed.number}
        back = gettext("A follow-up after closing became %(number)s.") % {"number": case.number}
    else:
        reason = gettext("The resident wrote again on the conversation of %(number)s after a long silence.") % {
            "number": closed.number}
        back = gettext("The resident's next message after a long silence became %(number)s.") % {
            "number": case.number}
    record(AuditAction.LINKED, case=case, actor_label=case.channel, after={"related": closed.number}, reason=reason)
    record(AuditAction.LINKED, case=closed, actor_label=case.channel, after={"related": case.number}, reason=back)


def flag_case(case: Case, tag: str, *, reason: str, actor_label: str = "system") -> None:
    """Put a system tag on a case, with the reason on its timeline; the caller holds the transaction."""
    tag = normalize_tag_name(tag)
    before = sorted(case.tags.values_list("name", flat=True))
    if tag in before:
        return
    case.tags.add(Tag.objects.get_or_create(name=tag)[0])
    record(AuditAction.TAGS_CHANGED, case=case, actor_label=actor_label, before={"tags": before},
           after={"tags": sorted([*before, tag])}, reason=reason)


def link_mention(case: Case, named: Case, *, tag: str) -> None:
    """A message naming a case its sender is not on made a new case: link and mark it, leave the named case be.

    The named case gets the (symmetrical) link and nothing else: no status change, no touch, no timeline entry
    that a stranger could use to write into it.
    """
    case.related.add(named)
    reason = gettext("Mentions %(number)s but the sender is not on that case.") % {"number": named.number}
    record(AuditAction.LINKED, case=case, actor_label=case.channel, after={"related": named.number}, reason=reason)
    flag_case(case, tag, reason=reason, actor_label=case.channel)


def add_outbound_message(case: Case, *, channel: str, text: str, subject: str = "", recipient: str = "",
                         email_message_id: str = "", author: Any = None, automatic: bool = False,
                         public: bool = False) -> Message:
    """The timeline row of a message to the resident, queued for delivery on commit; the caller holds the
    transaction and has chosen the channel and rendered the text (conversations.replies does both)."""
    message = Message.objects.create(
        case=case,
        direction=Direction.OUTBOUND,
        channel=channel,
        is_public=public,
        is_automatic=automatic,
        author=author if getattr(author, "is_authenticated", False) else None,
        contact=case.contact,
        subject=subject[:300],
        body_text=text,
        visible_text=text,
        recipient=recipient[:320],
        email_message_id=email_message_id,
        delivery_status=DeliveryStatus.QUEUED,
        created_at=timezone.now(),
    )
    # with the database's task backend the job row commits with the message (one write transaction fewer)
    enqueue_with_transaction(DELIVER_MESSAGE, message.pk, queue_name=delivery_queue(channel, automatic))
    publish(MessageAdded(case, message))
    return message


def note_reply(case: Case, message: Message) -> None:
    """A staff reply: the case's first response time, and a new case is open now; the caller holds the
    transaction."""
    changes: dict[str, Any] = {}
    if case.first_response_at is None and not message.is_automatic:
        changes["first_response_at"] = message.created_at
    if case.status == CaseStatus.NEW:
        changes["status"] = CaseStatus.OPEN
    touch(case, **changes)


def attach_files(message: Message, files: Sequence[OutboundAttachment]) -> list[Attachment]:
    """Files staff attached to a reply or a note, kept like a resident's (served only through the case check);
    the caller holds the transaction, so a reply is delivered with its files or not at all."""
    return [Attachment.objects.create(message=message, file=ContentFile(item.content, name=item.filename),
                                      filename=item.filename[:255], content_type=item.content_type[:120],
                                      size=len(item.content))
            for item in files]


@transaction.atomic
def add_note(case: Case, *, author: Any, text: str, files: Sequence[OutboundAttachment] = ()) -> Message:
    refuse_if_merged(case)
    note = Message.objects.create(
        case=case, direction=Direction.NOTE, channel=Channel.INTERNAL, author=author, body_text=text,
        visible_text=text, delivery_status=DeliveryStatus.RECEIVED, created_at=timezone.now(),
    )
    attach_files(note, files)
    touch(case)
    publish(MessageAdded(case, note))
    return note


@transaction.atomic
def assign(case: Case, *, actor: Any, assignee: Any = None, team: Team | None = None, reason: str = "",
           actor_label: str = "", details: dict[str, Any] | None = None) -> Case:
    """Set the case's assignee and team; automatic assignment (actor None) adds its `details` to the entry."""
    refuse_if_merged(case)
    before = {"assignee": case.assignee_id, "team": case.team_id}
    changes: dict[str, Any] = {"assignee": assignee, "team": team}
    if case.status == CaseStatus.NEW and assignee is not None:
        changes["status"] = CaseStatus.OPEN
    touch(case, **changes)
    made = record(AuditAction.ASSIGNED, case=case, actor=actor, actor_label=actor_label, before=before,
                  after={"assignee": case.assignee_id, "team": case.team_id, **(details or {})}, reason=reason)
    publish(CaseAssigned(case, case.assignee_id, before["assignee"], actor, made.pk))
    return case


@transaction.atomic
def change_status(case: Case, *, actor: Any, status: str) -> Case:
    refuse_if_merged(case)
    if status not in CaseStatus.values:
        raise ValueError(f"Unknown status '{status}'.")
    before = case.status
    if before == status:
        return case
    if status == CaseStatus.NEW:
        raise CaseRefused(gettext("A case cannot go back to New once someone has worked on it."))
    now = timezone.now()
    changes: dict[str, Any] = {"status": status}
    if status == CaseStatus.RESOLVED:
        changes["resolved_at"] = now
    elif status == CaseStatus.CLOSED:
        changes["closed_at"] = now
        changes["resolved_at"] = case.resolved_at or now
    else:
        changes["resolved_at"] = None
        changes["closed_at"] = None
    touch(case, **changes)
    record(AuditAction.STATUS_CHANGED, case=case, actor=actor, before={"status": before}, after={"status": status})
    return case


@transaction.atomic
def edit_fields(case: Case, *, actor: Any, changes: dict[str, Any], reason: str = "") -> Case:
    """A direct edit (the Django admin): save the changed fields through touch() and audit before/after."""
    before = snapshot(case, list(changes))
    previous_assignee = case.assignee_id
    if changes:
        touch(case, **changes)
    made = record_field_changes(case=case, actor=actor, before=before, after=snapshot(case, list(changes)),
                                reason=reason)
    if "assignee" in changes and case.assignee_id != previous_assignee:
        publish(CaseAssigned(case, case.assignee_id, previous_assignee, actor, made.pk if made else None))
    return case


@transaction.atomic
def set_priority(case: Case, *, actor: Any, priority: str) -> Case:
    refuse_if_merged(case)
    if priority not in Priority.values:
        raise ValueError(f"Unknown priority '{priority}'.")
    before = case.priority
    if before == priority:
        return case
    touch(case, priority=priority)
    record(AuditAction.PRIORITY_CHANGED, case=case, actor=actor, before={"priority": before},
           after={"priority": priority})
    return case


@transaction.atomic
def set_tags(case: Case, *, actor: Any, names: list[str]) -> Case:
    """The case's tags become `names`, each in its one normalised spelling (tags are case-insensitive)."""
    refuse_if_merged(case)
    clean = sorted({normalize_tag_name(n) for n in names} - {""})
    before = sorted(case.tags.values_list("name", flat=True))
    if before == clean:
        return case
    tags = [Tag.objects.get_or_create(name=n)[0] for n in clean]
    case.tags.set(tags)
    touch(case)
    record(AuditAction.TAGS_CHANGED, case=case, actor=actor, before={"tags": before}, after={"tags": clean})
    return case


@transaction.atomic
def change_tag(case: Case, *, actor: Any, tag: Tag, present: bool) -> bool:
    """Add one tag to a case (present) or take it off, audited like set_tags; False when nothing changed. The
    caller may prefetch the case's tags (the bulk actions do) and looks the tag up once for many cases."""
    refuse_if_merged(case)
    before = sorted(t.name for t in case.tags.all())
    if (tag.name in before) == present:
        return False
    if present:
        case.tags.add(tag)
        after = sorted([*before, tag.name])
    else:
        case.tags.remove(tag)
        after = [name for name in before if name != tag.name]
    touch(case)
    record(AuditAction.TAGS_CHANGED, case=case, actor=actor, before={"tags": before}, after={"tags": after})
    return True


@transaction.atomic
def change_service(case: Case, *, actor: Any, service: Service | None) -> Case:
    """Change what the request is about. The case is not routed again: it stays with its agency (staff transfer it
    when the new service belongs elsewhere), and the timeline says so."""
    refuse_if_merged(case)
    if (service.pk if service else None) == case.service_id:
        return case
    before = {"service": case.service.code if case.service else None}
    touch(case, service=service)
    reason = gettext("Service changed by staff; the case stays with %(agency)s.") % {"agency": case.agency.name}
    record(AuditAction.FIELD_CHANGED, case=case, actor=actor, before=before,
           after={"service": service.code if service else None}, reason=reason)
    return case


@transaction.atomic
def hand_over_open_cases(cases: Any, *, actor: Any, assignee: Any = None) -> int:
    """A supervisor moves an agent's open cases (the queryset, already scoped) to another person, or unassigns
    them; each case audited like a single assignment. The number moved."""
    moved = 0
    for case in cases.select_for_update().exclude(status__in=CaseStatus.finished()):
        if case.assignee_id == getattr(assignee, "pk", None):
            continue
        before = {"assignee": case.assignee_id, "team": case.team_id}
        touch(case, assignee=assignee)
        record(AuditAction.ASSIGNED, case=case, actor=actor, before=before,
               after={"assignee": case.assignee_id, "team": case.team_id},
               reason=gettext("Handed over by a supervisor from the team page."))
        moved += 1
    return moved


@transaction.atomic
def merge_cases(duplicate: Case, survivor: Case, *, actor: Any) -> Case:
    """Fold a duplicate into the survivor: its messages move over and it points to the survivor."""
    if duplicate.pk == survivor.pk:
        raise CaseRefused(gettext("A case cannot be merged into itself."))
    if duplicate.merged_into_id:
        raise CaseRefused(gettext("%(number)s was already merged into %(survivor)s.")
                          % {"number": duplicate.number, "survivor": duplicate.merged_into})
    if survivor.merged_into_id:
        raise CaseRefused(gettext("%(number)s was itself merged; merge into %(survivor)s instead.")
                          % {"number": survivor.number, "survivor": survivor.merged_into})
    moved = Message.objects.filter(case=duplicate).update(
        case=survivor, origin_case=Coalesce(F("origin_case"), Value(duplicate.pk)))
    Case.objects.filter(merged_into=duplicate).update(merged_into=survivor)
    if duplicate.contact_id and duplicate.contact_id != survivor.contact_id:
        survivor.followers.add(duplicate.contact_id)  # the duplicate's resident gets the survivor's public updates
    survivor.followers.add(*duplicate.followers.exclude(pk=survivor.contact_id or 0))
    before = {"status": duplicate.status}
    touch(duplicate, merged_into=survivor, status=CaseStatus.CLOSED, closed_at=timezone.now())
    touch(survivor)
    record(AuditAction.MERGED_INTO, case=duplicate, actor=actor, before=before,
           after={"status": CaseStatus.CLOSED, "survivor": survivor.number})
    record(AuditAction.MERGED, case=survivor, actor=actor,
           after={"duplicate": duplicate.number, "messages_moved": moved})
    return survivor


@transaction.atomic
def link_cases(case: Case, other: Case, *, actor: Any) -> None:
    refuse_if_merged(case)
    if case.pk == other.pk:
        raise CaseRefused(gettext("A case cannot be linked to itself."))
    refuse_if_merged(other)
    case.related.add(other)
    record(AuditAction.LINKED, case=case, actor=actor, after={"related": other.number})
    record(AuditAction.LINKED, case=other, actor=actor, after={"related": case.number})


@transaction.atomic
def add_follower(case: Case, contact: Contact) -> Case:
    """A resident with the same problem: '+1' instead of a new case."""
    from civicdesk.cases.followers import resubscribe  # it imports this module

    resubscribe(case, contact)
    if not case.followers.filter(pk=contact.pk).exists() and case.contact_id != contact.pk:
        case.followers.add(contact)
        touch(case, supporter_count=case.supporter_count + 1)
        record(AuditAction.FOLLOWER_ADDED, case=case, actor_label="resident", after={"contact": contact.pk})
    return case


@transaction.atomic
def publish_photo(attachment: Attachment, *, actor: Any, published: bool) -> Attachment:
    """Staff approve a resident's photo for the request's public page (or take it back); on the case's timeline."""
    if (attachment.published_at is not None) == published:
        return attachment
    attachment.published_at = timezone.now() if published else None
    attachment.save(update_fields=["published_at"])
    case = attachment.message.case
    assert case is not None  # a resident's photo came with a message on a case
    record(AuditAction.FIELD_CHANGED, case=case, actor=actor, before={"photo_public": not published},
           after={"photo_public": published, "photo": attachment.pk},
           reason=gettext("Photo %(name)s approved for the public page.") % {"name": attachment.filename} if published
           else gettext("Photo %(name)s taken off the public page.") % {"name": attachment.filename})
    touch(case)
    return attachment


def finished_at(case: Case) -> Any:
    """When the case was last resolved or closed (None while it is open)."""
    if case.status == CaseStatus.CLOSED:
        return case.closed_at or case.resolved_at or case.updated_at
    if case.status == CaseStatus.RESOLVED:
        return case.resolved_at or case.updated_at
    return None


@transaction.atomic
def reopen_not_fixed(case: Case) -> Case:
    """The resident says a resolved or closed case is not fixed: it is open again, and its timeline says why.

    The caller checks the reopen window (portal: REOPEN_WINDOW_DAYS); an open case is left as it is."""
    if case.status not in CaseStatus.finished():
        return case
    before = case.status
    touch(case, status=CaseStatus.OPEN, resolved_at=None, closed_at=None)
    record(AuditAction.REOPENED, case=case, actor_label="resident", before={"status": before},
           after={"status": case.status}, reason=gettext("The resident said the problem is not fixed."))
    return case
