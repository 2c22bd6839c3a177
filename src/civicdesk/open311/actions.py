"""Writes of the Open311 server: a POSTed request or update goes through the ingest pipeline, in one transaction."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicdesk.cases.models import Case, CaseStatus
from civicdesk.channels.models import Channel, InboundPayload, PayloadStatus
from civicdesk.channels.protocol import ParseError
from civicdesk.channels.registry import get_adapter
from civicdesk.conversations.intake import accept
from civicdesk.conversations.pipeline import prepare, process
from civicdesk.core.jobs import PROCESS_BATCH_REQUEST
from civicdesk.open311.adapter import KIND_REQUEST, KIND_UPDATE, payload_id, request_message, update_message
from civicdesk.open311.models import ApiKey, BatchToken, RequestDetail
from civicdesk.open311.parsing import Open311Error, decode_form, param, parse_datetime
from civicdesk.open311.submission import ServiceRequestInput


@dataclass
class Submitted:
    service_request_id: str = ""
    token: str = ""


def _meta(api_key: ApiKey, content_type: str, kind: str, pid: str) -> dict[str, object]:
    return {"app": api_key.app_name, "api_key": api_key.pk, "content_type": content_type, "kind": kind, "pid": pid}


def _rejected(payload: InboundPayload) -> Open311Error:
    return Open311Error(400, f"The request could not be accepted: {payload.error.splitlines()[0][:300]}")


def earlier_request(api_key: ApiKey, raw: bytes) -> InboundPayload | None:
    """The latest stored POST requests of this application with exactly this body, if any."""
    digest = get_adapter(Channel.OPEN311).content_hash(raw, {})
    candidates = (InboundPayload.objects.filter(channel=Channel.OPEN311, content_hash=digest)
                  .only("pk", "meta", "received_at", "case_id").order_by("-received_at", "-pk")[:50])
    # a repeat is rare: the few columns read here keep every POST cheap; a repeat loads its case when asked
    for payload in candidates:
        if payload.meta.get("api_key") == api_key.pk and payload.meta.get("kind") == KIND_REQUEST:
            return payload
    return None


def _retried(earlier: InboundPayload | None, realtime: bool) -> Submitted | None:
    """The first answer, when this POST repeats a recent one whose request is still open (OPEN311_RETRY_WINDOW)."""
    if earlier is None:
        return None
    if timezone.now() - earlier.received_at > timedelta(seconds=settings.OPEN311_RETRY_WINDOW_SECONDS):
        return None
    if earlier.case is not None:
        return None if earlier.case.is_finished else Submitted(service_request_id=earlier.case.public_id or "")
    token = None if realtime else BatchToken.objects.filter(payload=earlier).first()
    return Submitted(token=token.token) if token else None


def submit_request(raw: bytes, content_type: str, api_key: ApiKey, request: ServiceRequestInput) -> Submitted:
    """Store the raw POST, then: realtime services become a case now; batch services get a token and the queue.

    The same body posted again by the same application within OPEN311_RETRY_WINDOW_SECONDS (a retry) returns the
    first answer while that request is open; anything else is a new request. Its provider id names the latest
    earlier copy, so two copies racing in at once still make one request.
    Nothing is kept when the pipeline rejects the request: the client gets a 400 and still has its data.
    """
    realtime = request.service.is_realtime
    earlier = earlier_request(api_key, raw)
    retried = _retried(earlier, realtime)
    if retried is not None:
        return retried
    pid = f"{payload_id(api_key.app_name, raw, KIND_REQUEST)}:{earlier.pk if earlier else 0}"
    meta = _meta(api_key, content_type, KIND_REQUEST, pid)
    if not realtime:
        return _queue_batch(raw, content_type, api_key, meta, pid)
    # the adapter would validate the stored body again (it is the body `request` was validated from), and the
    # service lookup and routing read only configuration: done here, before the ingest transaction, they keep
    # SQLite's write lock (and PostgreSQL's transaction) shorter
    prepared = [prepare(request_message(request, app=api_key.app_name, pid=pid), service=request.service)]
    with transaction.atomic():
        result = accept(Channel.OPEN311, raw, meta=meta, provider_message_id=pid, content_type=content_type[:120],
                        inline=True, prepared=prepared)
        if result.case is None:
            result.payload.refresh_from_db()
            raise _rejected(result.payload)  # rolls the stored payload back too
        if result.stored:
            record_details(result.case, result.payload, request)
        return Submitted(service_request_id=result.case.public_id or "")


@transaction.atomic
def _queue_batch(raw: bytes, content_type: str, api_key: ApiKey, meta: dict[str, object], pid: str) -> Submitted:
    """A batch service: store the POST, answer with a token, and let the queue make the case (process_batch)."""
    result = accept(Channel.OPEN311, raw, meta=meta, provider_message_id=pid, content_type=content_type[:120],
                    job=PROCESS_BATCH_REQUEST)
    if not result.stored:
        existing = BatchToken.objects.filter(payload=result.payload).first()
        if existing:
            return Submitted(token=existing.token)
    token = BatchToken.objects.create(token=secrets.token_hex(16), payload=result.payload, api_key=api_key,
                                      created_at=timezone.now())
    return Submitted(token=token.token)


def record_details(case: Case, payload: InboundPayload,
                   request: ServiceRequestInput | None = None) -> RequestDetail | None:
    """Keep the Open311 fields a case has no column for: from the validated request, or read back from the stored
    body (the queued batch path). None of them given: no row."""
    if request is None:
        data = decode_form(bytes(payload.raw), str(payload.meta.get("content_type", ""))).data
        request_fields = {"address_id": param(data, "address_id"), "media_url": param(data, "media_url"),
                          "device_id": param(data, "device_id") or param(data, "deviceid"),
                          "account_id": param(data, "account_id")}
    else:
        request_fields = {"address_id": request.address_id, "media_url": request.media_url,
                          "device_id": request.device_id, "account_id": request.account_id}
    limits = {"address_id": 200, "media_url": 1000, "device_id": 200, "account_id": 200}
    fields = {name: (value or "")[:limits[name]] for name, value in request_fields.items()}
    if not any(fields.values()):
        return None
    detail, _ = RequestDetail.objects.update_or_create(case=case, defaults={
        "api_key_id": payload.meta.get("api_key"), **fields})
    return detail


@transaction.atomic
def process_batch(payload: InboundPayload) -> Case | None:
    """The queued half of a batch POST: the normal pipeline, then the Open311 details."""
    result = process(payload)
    if result.case is not None:
        record_details(result.case, payload)
    return result.case


def token_status(token: BatchToken) -> Submitted:
    """tokens/{t}: the id once the queue has made the case; only the token while it is still queued."""
    payload = token.payload
    if payload.status == PayloadStatus.QUARANTINED:
        raise _rejected(payload)
    if payload.case is not None:
        return Submitted(service_request_id=payload.case.public_id or "", token=token.token)
    return Submitted(token=token.token)


UPDATE_STATUSES = {"OPEN", "CLOSED", "FIXED", "IN_PROGRESS", "ACTION_SCHEDULED", "INVESTIGATING", "DUPLICATE",
                   "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION", "INTERNAL_REFERRAL", "FOR_TRIAGE",
                   "CANCELLED", "REOPEN", "UNCHANGED", "PLANNED"}


def submit_update(raw: bytes, content_type: str, api_key: ApiKey) -> str:
    """FixMyStreet's POST servicerequestupdates: a comment on one of our requests; returns our update_id."""
    body = decode_form(raw, content_type)
    data = body.data
    errors = [f"{name}: required." for name in ("service_request_id", "update_id", "status", "updated_datetime")
              if param(data, name) is None]
    status = (param(data, "status") or "").upper().replace(" ", "_")
    if status and status not in UPDATE_STATUSES:
        errors.append(f"status: '{status[:40]}' is not one of {', '.join(sorted(UPDATE_STATUSES))}.")
    if param(data, "updated_datetime"):
        try:
            parse_datetime(param(data, "updated_datetime") or "", "updated_datetime")
        except Open311Error as exc:
            errors += [e for _c, e in exc.errors]
    if len(param(data, "description") or "") > 4000:
        errors.append("description: at most 4000 characters.")
    if errors:
        raise Open311Error(400, *errors)
    number = param(data, "service_request_id") or ""
    case = Case.objects.filter(public_id=number).first()  # the public id; the sequential number is not accepted
    if case is None:
        raise Open311Error(404, f"service_request_id: '{number[:40]}' is not a request here.")
    if case.status == CaseStatus.CLOSED:
        raise Open311Error(400, f"service_request_id: {number} is closed; post a new request instead.")
    pid = payload_id(api_key.app_name, (param(data, "update_id") or "").encode(), KIND_UPDATE)
    try:
        prepared = [prepare(update_message(body, app=api_key.app_name, pid=pid, number=case.number))]
    except ParseError as exc:
        raise Open311Error(400, f"The request could not be accepted: {str(exc)[:300]}") from exc
    with transaction.atomic():
        result = accept(Channel.OPEN311, raw, meta=_meta(api_key, content_type, KIND_UPDATE, pid),
                        provider_message_id=pid, content_type=content_type[:120], inline=True, prepared=prepared)
        if result.message is None:
            result.payload.refresh_from_db()
            raise _rejected(result.payload)
        return f"m{result.message.pk}"
