"""Handing a case to another jurisdiction's Open311 endpoint, retrying with the delivery backoff, pulling updates."""

import hashlib
import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.contacts.languages import writing_to
from civicdesk.conversations import replies
from civicdesk.conversations.delivery import next_attempt_at
from civicdesk.core.jobs import SEND_FORWARDED_CASE, can_defer, enqueue_on_commit
from civicdesk.open311.client import GeoReportClient, Open311ClientError
from civicdesk.open311.formats import w3c
from civicdesk.open311.models import ExternalEndpoint, ForwardedCase, ForwardState, ServiceMapping

log = logging.getLogger(__name__)
TOKEN_POLLS = 3
TOKEN_POLL_SECONDS = 1.0
OPEN_FORWARD_STATES = [ForwardState.PENDING, ForwardState.RETRYING, ForwardState.AWAITING_ID, ForwardState.SENT]


def client_for(endpoint: ExternalEndpoint) -> GeoReportClient:
    return GeoReportClient(endpoint.url, api_key=endpoint.api_key, jurisdiction_id=endpoint.jurisdiction_id,
                           fmt=endpoint.format, timeout=endpoint.timeout_seconds)


@transaction.atomic
def forward_case(case: Case, endpoint: ExternalEndpoint, actor: Any) -> ForwardedCase:
    """Queue the hand-over; the send happens after commit (see send_forward)."""
    if not endpoint.is_active:
        raise ValueError(f"{endpoint.name} is not active.")
    if case.service is None or not ServiceMapping.objects.filter(endpoint=endpoint, service=case.service).exists():
        raise ValueError(f"{endpoint.name} has no service mapped for this case's service; an admin must map it.")
    if ForwardedCase.objects.filter(case=case, endpoint=endpoint, state__in=OPEN_FORWARD_STATES).exists():
        raise ValueError(f"{case.number} is already forwarded to {endpoint.name}.")
    forward = ForwardedCase.objects.create(case=case, endpoint=endpoint, forwarded_by=actor,
                                           created_at=timezone.now())
    record(AuditAction.FIELD_CHANGED, case=case, actor=actor, actor_label="open311",
           after={"open311_forward": endpoint.name, "state": forward.state},
           reason=f"Forwarded to {endpoint.name} over Open311.")
    enqueue_on_commit(SEND_FORWARDED_CASE, forward.pk)
    return forward


def request_fields(forward: ForwardedCase, client: GeoReportClient) -> list[tuple[str, str]]:
    """What we POST: their service code, location, description, answers their definition asks for."""
    case = forward.case
    mapping = ServiceMapping.objects.get(endpoint=forward.endpoint, service=case.service)
    fields = [("service_code", mapping.remote_service_code),
              ("description", (case.description or case.subject or "")[:4000])]
    if case.lat is not None and case.lon is not None:
        fields += [("lat", f"{case.lat:.6f}"), ("long", f"{case.lon:.6f}")]
    if case.address:
        fields.append(("address_string", case.address))
    if forward.endpoint.share_contact_details and case.contact:
        if case.contact.email:
            fields.append(("email", case.contact.email))
        first, _, last = case.contact.display_name.partition(" ")
        fields += [("first_name", first), ("last_name", last)] if first else []
    definition = client.service_definition(mapping.remote_service_code)
    wanted = {str(a.get("code")): a for a in definition.get("attributes", []) if a.get("variable", True)}
    answers = {**{k: v for k, v in case.attributes.items() if k in wanted}, **mapping.remote_attributes}
    for code, value in answers.items():
        multi = wanted.get(code, {}).get("datatype") == "multivaluelist"
        for item in value if isinstance(value, list) else [value]:
            fields.append((f"attribute[{code}][]" if multi else f"attribute[{code}]", str(item)))
    return fields


def send_forward(forward_id: int) -> ForwardedCase | None:
    """POST the case (once per attempt); a token is polled a few times, then by the periodic pull.

    While an attempt runs, next_attempt_at is its lease: a worker killed mid-attempt leaves the forward to the
    periodic pull once the lease runs out, and no second worker posts it meanwhile.
    """
    with transaction.atomic():
        forward = ForwardedCase.objects.select_for_update().filter(pk=forward_id).first()
        if forward is None or forward.state not in (ForwardState.PENDING, ForwardState.RETRYING):
            return forward
        if forward.next_attempt_at is not None and forward.next_attempt_at > timezone.now():
            return forward  # another worker holds this attempt, or its retry is not due yet
        forward.attempts += 1
        forward.next_attempt_at = timezone.now() + timedelta(seconds=settings.OUTBOUND_SENDING_LEASE_SECONDS)
        forward.save(update_fields=["attempts", "next_attempt_at"])
    forward = ForwardedCase.objects.select_related("case", "case__contact", "endpoint").get(pk=forward_id)
    client = client_for(forward.endpoint)
    try:
        answer = client.post_request(request_fields(forward, client))
    except Open311ClientError as exc:
        _failed(forward, exc)
        return forward
    if answer.get("service_request_id"):
        _accepted(forward, remote_id=str(answer["service_request_id"]))
    elif answer.get("token"):
        ForwardedCase.objects.filter(pk=forward.pk).update(state=ForwardState.AWAITING_ID,
                                                           remote_token=str(answer["token"]), last_error="",
                                                           next_attempt_at=None)
        forward.refresh_from_db()
        for _poll in range(TOKEN_POLLS):
            if poll_token(forward):
                break
            time.sleep(TOKEN_POLL_SECONDS)
    else:
        _failed(forward, Open311ClientError("Their answer had neither a service_request_id nor a token."))
    forward.refresh_from_db()
    return forward


def poll_token(forward: ForwardedCase) -> bool:
    try:
        remote_id = client_for(forward.endpoint).token(forward.remote_token)
    except Open311ClientError as exc:
        log.warning("Token poll for forward %s failed: %s", forward.pk, type(exc).__name__)
        return False
    if remote_id:
        _accepted(forward, remote_id=remote_id)
    return bool(remote_id)


@transaction.atomic
def _accepted(forward: ForwardedCase, *, remote_id: str) -> None:
    ForwardedCase.objects.filter(pk=forward.pk).update(state=ForwardState.SENT, remote_id=remote_id, last_error="",
                                                       next_attempt_at=None)
    record(AuditAction.FIELD_CHANGED, case=forward.case, actor_label=f"open311:{forward.endpoint.name}",
           after={"open311_forward": forward.endpoint.name, "remote_id": remote_id, "state": ForwardState.SENT},
           reason=f"{forward.endpoint.name} accepted the case as {remote_id}.")


@transaction.atomic
def _failed(forward: ForwardedCase, error: Open311ClientError) -> None:
    """Transient errors retry with exponential backoff; a refusal (4xx) or the last attempt fails for good."""
    retry_at = next_attempt_at(forward.attempts, max_attempts()) if error.transient else None
    final = retry_at is None
    ForwardedCase.objects.filter(pk=forward.pk).update(
        state=ForwardState.FAILED if final else ForwardState.RETRYING, last_error=str(error)[:2000],
        next_attempt_at=retry_at)
    when = "no more attempts" if final else f"next attempt at {w3c(retry_at)}"
    record(AuditAction.DELIVERY_FAILED, case=forward.case, actor_label=f"open311:{forward.endpoint.name}",
           after={"open311_forward": forward.endpoint.name, "attempts": forward.attempts,
                  "state": ForwardState.FAILED if final else ForwardState.RETRYING},
           reason=f"Forwarding to {forward.endpoint.name} failed ({when}): {str(error)[:500]}")
    if retry_at is not None and can_defer(SEND_FORWARDED_CASE):  # else the periodic recovery picks it up
        enqueue_on_commit(SEND_FORWARDED_CASE, forward.pk, run_after=retry_at)


def apply_remote_update(forward: ForwardedCase, *, key: str, status: str, text: str, at: str) -> bool:
    """One update from their side: audit entry, public inbound note, the resident told. False if already seen."""
    with transaction.atomic():
        forward = ForwardedCase.objects.select_for_update(of=("self",)).select_related(
            "case", "case__contact", "endpoint").get(pk=forward.pk)
        if key in forward.seen_update_ids:
            return False
        case, name = forward.case, forward.endpoint.name
        status = (status or forward.remote_status or "open").lower()
        if status != forward.remote_status:
            record(AuditAction.FIELD_CHANGED, case=case, actor_label=f"open311:{name}",
                   before={"remote_status": forward.remote_status or None},
                   after={"remote_status": status, "remote_id": forward.remote_id, "at": at},
                   reason=f"Status at {name} changed.")
        if text:
            Message.objects.create(
                case=case, direction=Direction.INBOUND, channel=Channel.OPEN311, is_public=True,
                subject=f"Update from {name}", body_text=text, visible_text=text,
                provider_message_id=f"forward:{forward.pk}:{key}"[:300], delivery_status=DeliveryStatus.RECEIVED,
                created_at=timezone.now())
        if case.contact_id:
            with writing_to(case.contact):  # in the resident's language; not a staff reply
                if text:
                    notice = gettext("{name} has an update on your request {number}: {text}").format(
                        name=name, number=case.number, text=text)
                else:
                    notice = gettext("{name} has an update on your request {number}. Its status there is now "
                                     "{status}.").format(name=name, number=case.number, status=status)
            replies.notify(case, notice)
        case_actions.touch(case)
        forward.seen_update_ids = [*forward.seen_update_ids, key][-500:]
        forward.remote_status, forward.remote_updated = status, at[:40]
        forward.remote_notes = text or forward.remote_notes
        if status == "closed":
            forward.state = ForwardState.CLOSED
        forward.save(update_fields=["seen_update_ids", "remote_status", "remote_updated", "remote_notes", "state"])
    return True


def pull_endpoint(endpoint: ExternalEndpoint) -> int:
    """Their updates since the last pull (servicerequestupdates), or the current state of our ids (GET requests)."""
    forwards = {f.remote_id: f for f in ForwardedCase.objects.filter(endpoint=endpoint, state=ForwardState.SENT)}
    if not forwards:
        return 0
    client, now, applied = client_for(endpoint), timezone.now(), 0
    if endpoint.supports_updates:
        since = (endpoint.last_pulled_at or min(f.created_at for f in forwards.values())) - timedelta(minutes=5)
        until = now + timedelta(seconds=2)  # datetimes travel in whole seconds: don't cut off this one
        for update in client.updates(w3c(since) or "", w3c(until) or ""):
            forward = forwards.get(str(update.get("service_request_id") or ""))
            if forward is not None:
                applied += apply_remote_update(forward, key=f"u:{update['update_id']}", text=_text(update),
                                               status=str(update.get("status") or ""),
                                               at=str(update.get("updated_datetime") or ""))
    else:
        ids = list(forwards)
        for start in range(0, len(ids), 50):
            for item in client.requests(ids=ids[start:start + 50]):
                forward = forwards.get(str(item["service_request_id"]))
                if forward is None:
                    continue
                notes, status = _text(item, "status_notes"), str(item.get("status") or "")
                if status == forward.remote_status and (not notes or notes == forward.remote_notes):
                    continue
                key = "r:" + hashlib.sha256(f"{status}|{notes}|{item.get('updated_datetime')}".encode()).hexdigest()
                applied += apply_remote_update(forward, key=key[:40], status=status,
                                               text=notes if notes != forward.remote_notes else "",
                                               at=str(item.get("updated_datetime") or ""))
    ExternalEndpoint.objects.filter(pk=endpoint.pk).update(last_pulled_at=now)
    return applied


def _text(item: dict[str, Any], name: str = "description") -> str:
    value = item.get(name)
    return value.strip()[:4000] if isinstance(value, str) else ""


def pull_all() -> int:
    """The periodic job: due retries, pending tokens, then every endpoint's updates; one endpoint's outage is logged."""
    now = timezone.now()
    stalled = Q(state=ForwardState.PENDING) & (Q(next_attempt_at__lte=now) | Q(  # a dead worker's attempt, or
        next_attempt_at__isnull=True, created_at__lt=now - timedelta(minutes=2)))  # a send job that was lost
    for forward_id in ForwardedCase.objects.filter(Q(state=ForwardState.RETRYING, next_attempt_at__lte=now) | stalled
                                                   ).values_list("pk", flat=True)[:200]:
        send_forward(forward_id)
    for forward in ForwardedCase.objects.filter(state=ForwardState.AWAITING_ID).select_related("endpoint")[:200]:
        poll_token(forward)
    applied = 0
    for endpoint in ExternalEndpoint.objects.filter(is_active=True):
        applied += pull_endpoint_guarded(endpoint)
    return applied


def pull_endpoint_guarded(endpoint: ExternalEndpoint) -> int:
    """pull_endpoint, with any failure recorded on that endpoint (and logged) instead of stopping the other pulls."""
    try:
        applied = pull_endpoint(endpoint)
    except Open311ClientError as exc:
        log.warning("Pulling updates from endpoint %s failed: %s", endpoint.pk, exc)
        _pull_failed(endpoint, str(exc))
        return 0
    except Exception as exc:  # noqa: BLE001 (one endpoint's odd answer must not stop the others)
        log.exception("Pulling updates from endpoint %s failed unexpectedly", endpoint.pk)
        _pull_failed(endpoint, f"Unexpected error ({type(exc).__name__}) while reading their answer.")
        return 0
    if endpoint.last_pull_error:
        ExternalEndpoint.objects.filter(pk=endpoint.pk).update(last_pull_error="")
    return applied


def _pull_failed(endpoint: ExternalEndpoint, error: str) -> None:
    ExternalEndpoint.objects.filter(pk=endpoint.pk).update(last_pull_error=error[:2000],
                                                           last_pull_failed_at=timezone.now())


def max_attempts() -> int:
    return int(settings.OPEN311_FORWARD_MAX_ATTEMPTS)
