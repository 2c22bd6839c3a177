"""The inbound batch worker's work: the payload table is the queue. Received payloads are taken oldest first, parsed
and prepared outside any write transaction, then applied a group per transaction, each exactly once.

No job row per payload: a webhook's one INSERT is all it writes (channels/webhooks.py). A group's transaction first
claims its payloads: on PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED (rows another worker holds are skipped and
stay its own until it commits or dies, when the server releases them), on SQLite by re-reading their status inside
the transaction, which holds the database's one write lock from its first statement (transaction_mode IMMEDIATE).
Each payload is applied in a savepoint of its own (pipeline.apply), so one that fails leaves the others applied and
itself received, to be tried again (MAX_ATTEMPTS times; then recover_stalled's job shows its error). A kill -9
rolls back the group in flight: its payloads are still received and the next worker takes them. The exactly-once
guards are the pipeline's own (a Message unique on provider id and content, an AppliedEvent per other event).
"""

import dataclasses
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from civicdesk.channels.actions import note_inbound, note_payload
from civicdesk.channels.events import InboundEvent, InboundMessage
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import quarantine
from civicdesk.contacts.identities import InvalidIdentity
from civicdesk.conversations import pipeline

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a payload that failed this often is left to recover_stalled's process_payload job


def group_size() -> int:
    """Payloads per write transaction: INBOUND_BATCH_GROUP, or by engine (SQLite's write lock blocks the webhooks
    while a group is applied, so its groups are small; PostgreSQL locks only the rows written)."""
    if settings.INBOUND_BATCH_GROUP > 0:
        return int(settings.INBOUND_BATCH_GROUP)
    return 8 if connection.vendor == "sqlite" else 50


def drain(limit: int | None = None, group: int | None = None) -> int:
    """Apply up to `limit` received payloads, oldest first; how many this worker applied or quarantined."""
    limit = limit or settings.INBOUND_BATCH_SIZE
    group = group or group_size()
    payloads = list(InboundPayload.objects.filter(status=PayloadStatus.RECEIVED, attempts__lt=MAX_ATTEMPTS)
                    .order_by("received_at")[:limit])  # read, not claimed: apply_group claims
    routes: dict[tuple[object, ...], pipeline.Prepared] = {}
    ready: list[tuple[InboundPayload, list[pipeline.Prepared]]] = []
    done = 0
    for payload in payloads:
        events = pipeline.parse(payload)  # outside any transaction; None: quarantined (a conditional UPDATE)
        if events is None:
            note_payload(payload)
            done += 1
            continue
        ready.append((payload, [prepare(event, routes) for event in events]))
    for start in range(0, len(ready), group):
        done += apply_group(ready[start:start + group])
    return done


def prepare(event: InboundEvent, routes: dict[tuple[object, ...], pipeline.Prepared]) -> pipeline.Prepared:
    """pipeline.prepare, its service and route looked up once per batch for messages that ask the same (every text
    to one number routes alike)."""
    if not isinstance(event, InboundMessage) or event.case_number:
        return pipeline.prepare(event)
    key = (event.service_code, event.agency_slug, event.lat, event.lon)
    known = routes.get(key)
    if known is None:
        known = routes[key] = pipeline.prepare(event)
    route = known.route
    if route is not None:  # a copy: nothing applied for one message reaches another's
        route = dataclasses.replace(route, details=dict(route.details) if route.details is not None else None)
    return pipeline.Prepared(event, known.service, route)


class _GroupFailed(Exception):
    pass


def apply_group(items: Sequence[tuple[InboundPayload, list[pipeline.Prepared]]]) -> int:
    """One write transaction: claim the group's payloads still received, then apply them one after the other. Should
    any fail, the whole transaction rolls back and the group is applied again with a savepoint per payload, so the
    others still take effect (savepoints cost two statements a payload: only paid when needed)."""
    try:
        applied = _apply_claimed(items, careful=False)
    except _GroupFailed:
        applied = _apply_claimed(items, careful=True)
    note_accounts(applied)
    return len(applied)


def _apply_claimed(items: Sequence[tuple[InboundPayload, list[pipeline.Prepared]]],
                   *, careful: bool) -> list[InboundPayload]:
    applied: list[InboundPayload] = []
    with transaction.atomic():
        rows = InboundPayload.objects.filter(pk__in=[payload.pk for payload, _ in items],
                                             status=PayloadStatus.RECEIVED).order_by()
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        mine = set(rows.values_list("pk", flat=True))
        if not mine:
            return []
        InboundPayload.objects.filter(pk__in=mine).update(attempts=F("attempts") + 1)
        for payload, prepared in items:
            if payload.pk not in mine:
                continue  # another worker (or a process_payload job) took it meanwhile
            if not careful:
                try:
                    pipeline.apply_in_transaction(payload, prepared)
                except Exception as exc:
                    raise _GroupFailed from exc  # rolls back the group (on_commit callbacks included)
                applied.append(payload)
                continue
            try:
                pipeline.apply(payload, prepared)  # its own savepoint
            except InvalidIdentity as exc:
                quarantine(payload, str(exc))
            except Exception:  # left received, tried again by the next drain (or recover_stalled's job)
                log.exception("Inbound payload %s could not be applied", payload.pk)
                continue
            applied.append(payload)
    return applied


def note_accounts(payloads: Sequence[InboundPayload]) -> None:
    """The channel accounts' health after a group: one write per account (at most once a minute, as note_inbound
    does), and every quarantined payload's error."""
    latest: dict[int, InboundPayload] = {}
    for payload in payloads:
        account_id = payload.meta.get("account_id") if isinstance(payload.meta, dict) else None
        if payload.status == PayloadStatus.QUARANTINED:
            note_payload(payload)
        elif isinstance(account_id, int) and (account_id not in latest
                                              or payload.received_at > latest[account_id].received_at):
            latest[account_id] = payload
    for account_id, payload in latest.items():
        note_inbound(account_id, payload.received_at)
