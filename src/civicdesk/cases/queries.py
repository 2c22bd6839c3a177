"""Read-only case queries: the inbox list (filters in cases/filters.py) and its paging, and a case's timeline."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum, TextChoices

from civicdesk.audit.models import AuditEntry
from civicdesk.cases.filters import CaseFilters, Sort, apply
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.cases.permissions import visible_cases
from civicdesk.channels.models import Channel
from civicdesk.contacts.models import ContactMerge, IdentityKind


def inbox_cases(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """The user's visible cases narrowed by the filters, newest first unless sorted otherwise; select_related keeps
    the list N+1 free. The inbox and the API list this."""
    cases = apply(visible_cases(user), replace(filters, sort=filters.sort or Sort.NEWEST), user=user)
    return cases.select_related("agency", "team", "assignee", "service", "contact")


@dataclass
class TimelineItem:
    """One row of a case timeline: either a message/note or an audit event."""

    at: datetime
    kind: str  # "in", "out", "note" or "event"
    message: Message | None = None
    event: AuditEntry | None = None


def case_timeline(case: Case, *, public_only: bool = False) -> list[TimelineItem]:
    """Messages, notes and audit events of a case in time order, with a fixed number of queries."""
    messages = case.messages.select_related("author", "contact").prefetch_related("attachments")
    if public_only:
        messages = messages.filter(is_public=True)
    items = [TimelineItem(at=m.created_at, kind=m.direction, message=m) for m in messages]
    if not public_only:  # the trail of duplicates merged into this case comes along with their messages
        # ids first: an OR across the join to cases cannot use the (case, at) index and scans the whole trail
        trail = [case.pk, *Case.objects.filter(merged_into=case).order_by().values_list("pk", flat=True)]
        events = AuditEntry.objects.filter(case_id__in=trail).select_related("actor", "case")
        items += [TimelineItem(at=e.at, kind="event", event=e) for e in events]
    items.sort(key=lambda item: item.at)
    return items


PAGE_SIZE = 50
COUNT_CAP = 1000


@dataclass
class CasePage:
    """One page of an inbox list, paged by "next page" so no COUNT(*) runs over the whole table."""

    cases: list[Case]
    number: int
    has_next: bool
    count: int  # exact up to COUNT_CAP
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.cases else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.cases)


def case_page(cases: QuerySet[Case], number: int, *, per_page: int = PAGE_SIZE, with_count: bool = True) -> CasePage:
    """Fetch per_page + 1 rows to learn whether a next page exists; count at most COUNT_CAP + 1 matches.

    The count runs only when a next page exists (otherwise the rows give it) and with_count is set.
    """
    number = max(1, number)
    offset = (number - 1) * per_page
    rows = list(cases[offset:offset + per_page + 1])
    has_next = len(rows) > per_page
    count = offset + min(len(rows), per_page) if rows or number == 1 else 0
    if has_next:
        count = cases.order_by()[:COUNT_CAP + 1].count() if with_count else 0
    return CasePage(cases=rows[:per_page], number=number, has_next=has_next,
                    count=min(count, COUNT_CAP), count_capped=count > COUNT_CAP)


def page_signature(page: CasePage) -> str:
    """What the rendered list depends on: the rows, their last change, and whether more pages exist."""
    parts = [f"{c.pk}.{c.updated_at.timestamp():.6f}" for c in page.cases]
    return f"{page.number}:{int(page.has_next)}:{page.count}:{int(page.count_capped)}:" + ",".join(parts)


def latest_case_change() -> str:
    """A cheap marker that changes whenever any case is created or changed (index on updated_at)."""
    latest = Case.objects.aggregate(latest=Max("updated_at"))["latest"]
    return f"{latest.timestamp():.6f}" if latest else "0"


def case_change_marker(case: Case) -> str:
    """Changes when the case, its messages (new ones, delivery status) or its audit trail change: one query."""
    messages = Message.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
    audit = AuditEntry.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
    row = Case.objects.filter(pk=case.pk).annotate(
        message_count=Subquery(messages.annotate(n=Count("id")).values("n")),
        delivery=Subquery(messages.annotate(n=Sum("attempts") + Count("id", filter=Q(
            delivery_status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.PUBLISHED,
                                 DeliveryStatus.FAILED, DeliveryStatus.CAPTURED])) + Count("id", filter=Q(
            delivery_status=DeliveryStatus.DELIVERED))  # sent -> delivered changes the marker too
        ).values("n")),
        audit_count=Subquery(audit.annotate(n=Count("id")).values("n")),
    ).values_list("updated_at", "message_count", "delivery", "audit_count").first()
    if row is None:
        return "gone"
    updated, message_count, delivery, audit_count = row
    return f"{updated.timestamp():.6f}:{message_count or 0}:{delivery or 0}:{audit_count or 0}"


def reply_address(case: Case) -> str:
    """The email address a reply on this case goes to, or "" when the resident cannot be reached by email.

    The address the case's resident last wrote from on this case; else the address of whoever wrote the case's
    original message (when that contact is the case's, or was merged into it); only then the contact's first email.
    So after a wrong contact merge each case still answers the person who wrote it; the first email is used only
    for cases with no inbound message that says who wrote (older ones the 0005 backfill could not tell).
    """
    contact = case.contact
    if contact is None:
        return ""
    inbound = Message.objects.filter(case=case, direction=Direction.INBOUND)
    latest = (inbound.filter(sender_identity__contact_id=contact.pk, sender_identity__kind=IdentityKind.EMAIL)
              .order_by("-created_at", "-id").values_list("sender_identity__value", flat=True).first())
    if latest:
        return latest
    original = inbound.order_by("created_at", "id").values_list("contact_id", flat=True).first()
    if original and original != contact.pk:
        merges = ContactMerge.objects.filter(source_id=original, target_id=contact.pk, undone_at__isnull=True)
        moved = [pk for ids in merges.values_list("moved_identity_ids", flat=True) for pk in ids]
        identities = contact.identities.filter(pk__in=moved, kind=IdentityKind.EMAIL).order_by("pk")
        found = identities.values_list("value", flat=True).first()
        if found:
            return found
    return contact.email


class ConfirmationEmail(TextChoices):
    """Where the automatic confirmation email of a case is, as the portal tells the resident."""

    SENT = "sent", "Sent"  # the mail server took it (or reported it delivered)
    PENDING = "pending", "Will be sent"  # queued, being sent, or waiting to retry
    NOT_SENT = "not_sent", "Not sent"  # failed for good, or only kept in the built-in outbox (no mail server)


CONFIRMATION_STATES: dict[str, ConfirmationEmail] = {
    DeliveryStatus.SENT: ConfirmationEmail.SENT, DeliveryStatus.DELIVERED: ConfirmationEmail.SENT,
    DeliveryStatus.FAILED: ConfirmationEmail.NOT_SENT, DeliveryStatus.CAPTURED: ConfirmationEmail.NOT_SENT,
}


def confirmation_email_state(case: Case) -> ConfirmationEmail:
    """SENT, PENDING or NOT_SENT for the case's automatic email confirmation (PENDING until one exists)."""
    status = (Message.objects.filter(case=case, direction=Direction.OUTBOUND, is_automatic=True,
                                      channel=Channel.EMAIL)
              .order_by("created_at", "id").values_list("delivery_status", flat=True).first())
    return CONFIRMATION_STATES.get(status or "", ConfirmationEmail.PENDING)
