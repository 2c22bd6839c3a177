"""The inbound batch worker's work: the payload table is the queue. Received payloads of any channel are claimed
oldest first, parsed and prepared outside any write transaction, then applied a group per transaction, each once.

No job row per payload: a webhook's one INSERT is all it writes (channels/webhooks.py).

- Claim: one short transaction takes up to a batch of received payloads whose lease is free, counts an attempt on
  each and leases them for LEASE_SECONDS (on PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED, so workers side by
  side claim disjoint batches; on SQLite the transaction holds the one write lock, which does the same). The attempt
  is counted before anything is applied, so a payload that kills its worker (kill -9, out of memory) is counted too.
- Apply: a group's transaction re-checks that its payloads are still received (a process_payload job, or another
  worker after a lease ran out, may have applied one meanwhile) and applies them. Should one fail, the group rolls
  back whole, its on-commit effects (acknowledgements' delivery jobs) with it, and is applied again with a savepoint
  per payload, so the others take effect once and the failing one keeps its error and stays received.
- A payload that failed, or whose worker died, is taken again once its lease runs out; after MAX_ATTEMPTS it is
  quarantined with its last error (shown to admins, who can replay it), never retried forever.
- A kill -9 rolls back the group in flight: its payloads are still received, and leased until the lease runs out.
  A live worker renews the lease of what it has left every LEASE_SECONDS / 3, so only a dead one loses its claim
  (a slow batch on a loaded machine must not be claimed again, each claim counting an attempt, and quarantined).

The exactly-once guards are the pipeline's own (a Message unique on provider id and content, an AppliedEvent per
other event).
"""

import dataclasses
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.audit import actions as audit_actions
from civicdesk.cases import activity, numbering
from civicdesk.channels import spool
from civicdesk.channels.actions import note_inbound, note_payload
from civicdesk.channels.events import InboundEvent, InboundMessage
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import quarantine
from civicdesk.contacts.actions import add_senders
from civicdesk.contacts.identities import InvalidIdentity
from civicdesk.conversations import actions as conversation_actions
from civicdesk.conversations import lookahead, pipeline
from civicdesk.core import jobs, prefetch

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a payload claimed this often without being applied is quarantined
LEASE_SECONDS = 30  # how long a claim keeps other workers off a payload (a dead worker's payloads wait this long)
Item = tuple[InboundPayload, list[pipeline.Prepared]]


def webhooks_wait_for_us() -> bool:
    """Whether webhooks write to this database, so its one write lock (SQLite's) makes them wait for our groups;
    with the spool (channels/spool.py) they write to a file of their own."""
    return connection.vendor == "sqlite" and not spool.enabled()


def group_size() -> int:
    """Events per write transaction: INBOUND_BATCH_GROUP, or 8 where webhooks wait for SQLite's write lock while a
    group is applied, else 50 (PostgreSQL locks only the rows written; the spool keeps webhooks off the lock)."""
    if settings.INBOUND_BATCH_GROUP > 0:
        return int(settings.INBOUND_BATCH_GROUP)
    return 8 if webhooks_wait_for_us() else 50


# The pause between two write transactions on SQLite. A webhook waiting for the write lock asks again every half
# millisecond (civicdesk.core.sqlite); without a pause this worker would take the lock straight back, and webhooks
# would wait behind the whole batch.
YIELD_SECONDS = 0.002


def drain(limit: int | None = None, group: int | None = None) -> int:
    """Claim up to `limit` received payloads and apply them; how many this worker applied or quarantined."""
    limit = limit or settings.INBOUND_BATCH_SIZE
    group = group or group_size()
    spool.move()  # what the webhooks spooled (SQLite) joins the table first
    payloads, done = claim(limit)
    try:
        return done + _work(payloads, group)
    except BaseException:
        release(payloads)  # what this batch left unapplied is taken again at once, not when the lease runs out
        raise


def _work(payloads: Sequence[InboundPayload], group: int) -> int:
    leased_at = time.monotonic()
    done = 0
    pause = webhooks_wait_for_us()
    routes: dict[tuple[object, ...], pipeline.Prepared] = {}
    ready: list[Item] = []
    for payload in payloads:
        events = pipeline.parse(payload)  # outside any transaction; None: quarantined (a conditional UPDATE)
        if events is None:
            note_payload(payload)
            done += 1
            continue
        ready.append((payload, [prepare(event, routes) for event in events]))
    chunks = groups(ready, group)
    for index, chunk in enumerate(chunks):
        if time.monotonic() - leased_at > LEASE_SECONDS / 3:  # a slow batch (a loaded machine) keeps its payloads
            renew([payload for rest in chunks[index:] for payload, _ in rest])
            leased_at = time.monotonic()
        done += apply_group(chunk)
        if pause and index < len(chunks) - 1:
            time.sleep(YIELD_SECONDS)  # let a waiting webhook take SQLite's one write lock before the next group
    return done


def release(payloads: Sequence[InboundPayload]) -> None:
    """Give up the lease on claimed payloads still received, after an error left this batch unfinished (the
    attempt stays counted). Without it a failed batch's payloads waited the whole lease, 30 s, for another worker."""
    try:
        with transaction.atomic():
            InboundPayload.objects.filter(pk__in=[payload.pk for payload in payloads],
                                          status=PayloadStatus.RECEIVED).update(claimed_until=None)
    except DatabaseError:  # the connection is gone: the lease runs out instead
        log.warning("Could not release %s claimed inbound payloads; they wait for their lease", len(payloads))


def renew(payloads: Sequence[InboundPayload]) -> None:
    """Extend the lease on payloads this worker claimed and has not applied yet. Without it a batch that takes
    longer than the lease (a hundred new cases on a machine at load 40) would be claimed again by the next worker,
    counting an attempt each time, until payloads still being worked on were quarantined as spent."""
    InboundPayload.objects.filter(pk__in=[payload.pk for payload in payloads], status=PayloadStatus.RECEIVED).update(
        claimed_until=timezone.now() + timedelta(seconds=LEASE_SECONDS))


def claim(limit: int) -> tuple[list[InboundPayload], int]:
    """The oldest received payloads no live lease holds, leased to this worker with one more attempt counted; and
    how many were quarantined instead, having used up their attempts."""
    now = timezone.now()
    with transaction.atomic():
        rows = (InboundPayload.objects.filter(status=PayloadStatus.RECEIVED)
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).order_by("received_at"))
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        found = list(rows[:limit])
        spent = [payload for payload in found if payload.attempts >= MAX_ATTEMPTS]
        mine = [payload for payload in found if payload.attempts < MAX_ATTEMPTS]
        if mine:
            InboundPayload.objects.filter(pk__in=[payload.pk for payload in mine]).update(
                attempts=F("attempts") + 1, claimed_until=now + timedelta(seconds=LEASE_SECONDS))
        for payload in spent:
            payload.attempts = MAX_ATTEMPTS
            give_up(payload)
    for payload in mine:
        payload.attempts += 1
    for payload in spent:
        note_payload(payload)
    return mine, len(spent)


def give_up(payload: InboundPayload) -> None:
    """Quarantine a payload that used up its attempts, keeping the last error it met."""
    reason = gettext("Not applied after %(n)s attempts.") % {"n": payload.attempts}
    if not payload.error:
        payload.error = gettext("The worker applying it stopped each time (killed, or out of memory).")
    log.error("Inbound payload %s given up after %s attempts", payload.pk, payload.attempts)
    quarantine(payload, f"{reason} {payload.error}")


def groups(ready: Sequence[Item], size: int) -> list[list[Item]]:
    """Consecutive payloads whose events add up to about `size` (a Meta payload may carry a hundred events)."""
    chunks: list[list[Item]] = []
    current: list[Item] = []
    events = 0
    for item in ready:
        if current and events + len(item[1]) > size:
            chunks.append(current)
            current, events = [], 0
        current.append(item)
        events += len(item[1])
    if current:
        chunks.append(current)
    return chunks


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


def apply_group(items: Sequence[Item]) -> int:
    """One write transaction: the group's payloads still received, applied one after the other. Should any fail,
    the whole transaction rolls back and the group is applied again with a savepoint per payload, so the others
    still take effect (savepoints cost two statements a payload: only paid when needed)."""
    try:
        applied = _apply_claimed(items, careful=False)
    except _GroupFailed:
        applied = _apply_claimed(items, careful=True)
    note_accounts(applied)
    return len(applied)


def _apply_claimed(items: Sequence[Item], *, careful: bool) -> list[InboundPayload]:
    applied: list[InboundPayload] = []
    with transaction.atomic():
        rows = InboundPayload.objects.filter(pk__in=[payload.pk for payload, _ in items],
                                             status=PayloadStatus.RECEIVED).order_by()
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        mine = set(rows.values_list("pk", flat=True))
        claimed = [item for item in items if item[0].pk in mine]
        answers = lookahead.answers(claimed)
        with prefetch.ahead(answers):
            if careful:
                _apply_each(items, mine, careful, applied)
            else:
                _apply_whole(items, mine, claimed, answers, applied)
    return applied


def _apply_whole(items: Sequence[Item], mine: set[int], claimed: Sequence[Item], answers: dict[str, dict[Any, Any]],
                 applied: list[InboundPayload]) -> None:
    """The group at once: any error rolls it back whole (no savepoint for a race), and what can be written for all
    its payloads together is: audit entries, delivery jobs, payload outcomes, cases' last activity and
    conversations' times at the end, the new senders' contacts and identities (two INSERTs) and their cases' numbers
    at the start."""
    with (prefetch.whole_or_nothing(), audit_actions.gathered(), jobs.gathered(), pipeline.outcomes_gathered(),
          activity.gathered(), conversation_actions.times_gathered()):
        added = add_senders(lookahead.new_senders(claimed, answers))
        for key, identity in added.items():
            prefetch.hold("identity", key, identity)
        with numbering.reserved(timezone.localdate().year, len(added)):
            _apply_each(items, mine, False, applied)


def _apply_each(items: Sequence[Item], mine: set[int], careful: bool, applied: list[InboundPayload]) -> None:
    for payload, prepared in items:
        if payload.pk not in mine:
            continue  # applied meanwhile (a process_payload job, or another worker after the lease ran out)
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
        except Exception as exc:  # left received and leased: tried again once the lease runs out
            log.exception("Inbound payload %s could not be applied (attempt %s)", payload.pk, payload.attempts)
            payload.error = f"{type(exc).__name__}: {exc}"[:5000]
            if payload.attempts >= MAX_ATTEMPTS:
                give_up(payload)
                applied.append(payload)
            else:
                InboundPayload.objects.filter(pk=payload.pk).update(error=payload.error)
            continue
        applied.append(payload)


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
