"""Read-only case queries: the inbox list (filters in cases/filters.py) and its paging, and a case's timeline."""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum, TextChoices

from civicdesk.audit.models import AuditEntry
from civicdesk.cases.filters import SORTS, CaseFilters, InboxView, Sort, narrow, narrow_to_view
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.cases.permissions import is_admin, read_only_case_ids, visible_cases
from civicdesk.channels.models import Channel
from civicdesk.contacts.models import ContactMerge, IdentityKind


def inbox_cases(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """The user's visible cases narrowed by the filters and the view, newest first unless sorted otherwise;
    select_related keeps the list N+1 free. The inbox and the API list this."""
    return view_cases(inbox_base(user, filters), filters, user)


def inbox_base(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """The user's visible cases narrowed by every filter but the view: what the inbox's views and counts share."""
    return narrow(visible_cases(user), filters).select_related("agency", "team", "assignee", "service", "contact")


def view_cases(base: QuerySet[Case], filters: CaseFilters, user: Any) -> QuerySet[Case]:
    """One view of inbox_base, sorted (newest first unless asked otherwise)."""
    return narrow_to_view(base, filters.view, user).order_by(*SORTS.get(filters.sort, SORTS[Sort.NEWEST]))


def inbox_views(user: Any) -> list[InboxView]:
    """The inbox's tabs for this user: "Read only" only for those who can see cases they may not act on."""
    views = [InboxView.UNASSIGNED, InboxView.MINE, InboxView.MY_TEAM, InboxView.BREACHING_SOON, InboxView.ALL]
    return views if is_admin(user) else [*views, InboxView.READ_ONLY]


def view_counts(user: Any, views: list[InboxView]) -> dict[str, "CappedCount"]:
    """How many cases each view holds (before any other filter: every count then walks one index of its own and
    stops at COUNT_CAP), in one query."""
    base = narrow(visible_cases(user), CaseFilters())
    return capped_counts({view: read_only_case_ids(user) if view == InboxView.READ_ONLY
                          else narrow_to_view(base, view, user) for view in views})


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
    else:  # staff see who wrote: the contact's label, from their identities when they have no name
        messages = messages.prefetch_related("contact__identities")
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
PAGER_WINDOW = 2  # page links either side of the current one


@dataclass(frozen=True)
class CappedCount:
    """How many cases, counted up to COUNT_CAP: exact unless capped (then there are more than `value`)."""

    value: int
    capped: bool = False


def capped_counts(querysets: dict[str, QuerySet[Any]]) -> dict[str, CappedCount]:
    """The number of rows of each queryset, each count stopped after COUNT_CAP + 1 rows, in one SQL statement (a
    queryset of values is counted as it is, any other by its primary keys)."""
    parts: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    counts = {name: CappedCount(0) for name in querysets}
    for name, cases in querysets.items():
        try:
            rows = cases if cases.query.values_select else cases.order_by().values("pk")
            sql, inner = rows[:COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # .none(), or a search with no words: nothing to count
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) cd_count_{len(parts)})")
        params.extend(inner)
        names.append(name)
    if not parts:
        return counts
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counts.update({name: CappedCount(min(n, COUNT_CAP), n > COUNT_CAP) for name, n in zip(names, row, strict=True)})
    return counts


@dataclass
class CasePage:
    """One page of an inbox list, with its total counted up to COUNT_CAP (no COUNT(*) over the whole table)."""

    cases: list[Case]
    number: int
    has_next: bool
    count: int  # exact up to COUNT_CAP; when capped, at least this many
    count_capped: bool
    per_page: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.cases else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.cases)

    @property
    def last_number(self) -> int | None:
        """The number of the last page, or None when the count is capped (not known without a full count)."""
        return None if self.count_capped else max(1, math.ceil(self.count / self.per_page))

    @property
    def past_the_end(self) -> bool:
        return not self.cases and self.number > 1

    def pager(self) -> list[int | None]:
        """Page numbers to link: the first, a window around this one and the last when known; None marks a gap."""
        last = self.last_number
        if last is not None and self.number > last:  # past the end: lead back to the pages that exist
            numbers = {1, *range(max(1, last - PAGER_WINDOW), last + 1)}
        else:
            high = self.number + (PAGER_WINDOW if self.has_next else 0)
            high = high if last is None else min(last, high)
            numbers = {1, *range(max(1, self.number - PAGER_WINDOW), high + 1), *([last] if last else [])}
        shown: list[int | None] = []
        for n in sorted(numbers):
            if shown and shown[-1] is not None and n - shown[-1] > 1:
                shown.append(None)
            shown.append(n)
        return shown


def case_page(cases: QuerySet[Case], number: int, *, per_page: int = PAGE_SIZE, with_count: bool = True,
              total: CappedCount | None = None) -> CasePage:
    """Fetch per_page + 1 rows to learn whether a next page exists. The total is `total` when the caller knows it
    (capped_counts); else at most COUNT_CAP + 1 matches are counted, only when the rows cannot tell (a next page
    exists, or this page is past the end) and with_count is set. A page past the end is empty, never an error."""
    number = max(1, number)
    offset = (number - 1) * per_page
    rows = list(cases[offset:offset + per_page + 1])
    has_next = len(rows) > per_page
    shown = offset + min(len(rows), per_page)
    if rows and not has_next:
        total = CappedCount(shown)  # the rows say exactly how many there are
    elif total is None and (with_count and has_next or not rows and number > 1):  # past the end: always count
        counted = cases.order_by()[:COUNT_CAP + 1].count()
        total = CappedCount(min(counted, COUNT_CAP), counted > COUNT_CAP)
    elif total is None:  # not counted: at least the rows shown, and more when a next page exists
        total = CappedCount(shown, has_next)
    count, capped = total.value, total.capped
    if capped:
        count = max(count, shown)
    return CasePage(cases=rows[:per_page], number=number, has_next=has_next, count=count, count_capped=capped,
                    per_page=per_page)


def exact_total(cases: QuerySet[Case], total: CappedCount | None) -> CappedCount:
    """The exact number of cases: `total` when it is exact, else one full COUNT(*) (only when someone asks for the
    last page of a long list)."""
    return total if total is not None and not total.capped else CappedCount(cases.order_by().count())


def page_signature(page: CasePage) -> str:
    """What the rendered list depends on: the rows, their last change, and whether more pages exist."""
    parts = [f"{c.pk}.{c.updated_at.timestamp():.6f}" for c in page.cases]  # contact changes do not touch the row
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
