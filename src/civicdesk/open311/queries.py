"""Read-only queries behind the Open311 server: services, service requests with their latest public note, updates."""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from civicdesk.agencies.models import Service
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.filters import CaseFilters, StatusGroup, apply, is_open
from civicdesk.cases.models import Attachment, Case, CaseStatus, Direction, Message
from civicdesk.open311.models import BatchToken

MAX_RESULTS = 1000


def open311_status(status: str) -> str:
    """Open311 knows two statuses, the StatusGroup values: open, or closed (resolved or closed here)."""
    return StatusGroup.OPEN.value if is_open(status) else StatusGroup.CLOSED.value


def services(agency_ids: list[int] | None) -> QuerySet[Service]:
    result = Service.objects.filter(is_active=True).annotate(attribute_count=Count("attributes")).order_by(
        "group", "name", "code")
    return result.filter(agency_id__in=agency_ids) if agency_ids is not None else result


def service(code: str, agency_ids: list[int] | None) -> Service | None:
    found = Service.objects.filter(code=code, is_active=True).prefetch_related("attributes")
    if agency_ids is not None:
        found = found.filter(agency_id__in=agency_ids)
    return found.first()


def public_updates(case_ref: Any) -> QuerySet[Message]:
    """Open311's status notes: staff's public updates (and public notes a forwarded-to jurisdiction published),
    never private replies, residents' messages or the per-follower copies."""
    return public_messages().filter(case=case_ref)


def public_messages() -> QuerySet[Message]:
    """Messages someone chose to publish: is_public is set only for public updates, never by default."""
    return Message.objects.filter(is_public=True, is_automatic=False, update_of__isnull=True).exclude(
        direction=Direction.NOTE)


def _request_queryset() -> QuerySet[Case]:
    latest_note = public_updates(OuterRef("pk")).order_by("-created_at", "-id").values("visible_text")[:1]
    first_photo = Attachment.objects.filter(message__case=OuterRef("pk"), message__direction=Direction.INBOUND,
                                            is_public=True).order_by("id").values("file")[:1]
    return (Case.objects.filter(service__isnull=False)
            .select_related("service", "agency", "open311")
            .annotate(latest_note=Subquery(latest_note), first_photo=Subquery(first_photo)))


def service_requests(filters: CaseFilters, agency_ids: list[int] | None, *, page: int = 1,
                     page_size: int = MAX_RESULTS) -> list[Case]:
    """GET requests: one page, newest first (merged cases included: their ids stay valid). Within a radius, the
    SQL box is a superset of the circle: page through what is really within it, so pages stay full."""
    cases = _request_queryset()
    if agency_ids is not None:
        cases = cases.filter(agency_id__in=agency_ids)
    cases = apply(cases, filters)
    offset = (page - 1) * page_size
    if filters.near is None:
        return list(cases[offset:offset + page_size])
    inside = (c for c in cases.iterator(chunk_size=500) if filters.near.contains(c.lat, c.lon))
    return list(itertools.islice(inside, offset, offset + page_size))


def service_request(public_id: str, agency_ids: list[int] | None) -> Case | None:
    """One request by its public id. The sequential case number is not accepted: ids must not be walkable."""
    cases = _request_queryset().filter(public_id=public_id)
    if agency_ids is not None:
        cases = cases.filter(agency_id__in=agency_ids)
    return cases.first()


def notes_by_case(case_ids: list[int]) -> dict[int, list[Message]]:
    """Every public update of these cases in one query (the extensions=true notes history)."""
    notes: dict[int, list[Message]] = {case_id: [] for case_id in case_ids}
    for message in public_messages().filter(case_id__in=case_ids).order_by("created_at", "id"):
        notes[message.case_id or 0].append(message)
    return notes


def batch_token(token: str) -> BatchToken | None:
    return BatchToken.objects.select_related("payload", "payload__case").filter(token=token).first()


@dataclass
class UpdateRow:
    update_id: str
    case: Case
    status: str
    at: datetime
    description: str


def request_updates(start: datetime, end: datetime, agency_ids: list[int] | None) -> list[UpdateRow]:
    """servicerequestupdates: public replies and status changes in a window, oldest first, at most 1000."""
    scope = Q(case__service__isnull=False) & (Q(case__agency_id__in=agency_ids) if agency_ids is not None else Q())
    messages = list(public_messages().filter(scope, created_at__range=(start, end))
        .select_related("case").order_by("created_at", "id")[:MAX_RESULTS])
    changes = list(AuditEntry.objects.filter(scope, action=AuditAction.STATUS_CHANGED, at__range=(start, end))
                   .select_related("case").order_by("at", "id")[:MAX_RESULTS])
    rows = [UpdateRow(f"s{e.pk}", e.case, open311_status(str(e.after.get("status", ""))), e.at, "")
            for e in changes if e.case is not None]
    history = _status_history({m.case_id for m in messages if m.case_id is not None}, end)
    for message in messages:
        if message.case is None or message.case_id is None:  # the scope joins the case: never so
            continue
        status = message.case.status
        for at, value in history.get(message.case_id, []):
            if at > message.created_at:
                break
            status = value
        rows.append(UpdateRow(f"m{message.pk}", message.case, open311_status(status), message.created_at,
                              message.visible_text or message.body_text))
    return sorted(rows, key=lambda r: (r.at, r.update_id))[:MAX_RESULTS]


def _status_history(case_ids: set[int], until: datetime) -> dict[int, list[tuple[datetime, str]]]:
    history: dict[int, list[tuple[datetime, str]]] = {}
    if not case_ids:
        return history
    first: dict[int, str] = {}
    for entry in AuditEntry.objects.filter(case_id__in=case_ids, action=AuditAction.STATUS_CHANGED,
                                           at__lte=until).order_by("at", "id"):
        if entry.case_id is None:
            continue
        first.setdefault(entry.case_id, str(entry.before.get("status", CaseStatus.NEW)))
        history.setdefault(entry.case_id, []).append((entry.at, str(entry.after.get("status", ""))))
    for case_id, rows in history.items():
        rows.insert(0, (datetime.min.replace(tzinfo=UTC), first[case_id]))
    return history
