"""The Open311 channel adapter: stored POST bodies (requests and FixMyStreet updates) into InboundMessages."""

import hashlib
from typing import Any

from civicdesk.cases.models import Case
from civicdesk.channels.events import InboundAttachment, InboundEvent, InboundMessage, SenderIdentity
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.contacts.identities import InvalidIdentity, normalize_email, normalize_phone
from civicdesk.contacts.models import IdentityKind
from civicdesk.open311.parsing import FormBody, Open311Error, decode_form, param
from civicdesk.open311.submission import ServiceRequestInput, validate_submission

KIND_REQUEST = "request"
KIND_UPDATE = "update"


def payload_id(app: str, raw: bytes, kind: str = KIND_REQUEST) -> str:
    """The same body posted twice by the same application is one payload (a client's retry), not two cases."""
    return f"{kind}:" + hashlib.sha256(app.encode() + b"\0" + raw).hexdigest()


def _identities(app: str, email: str, phone: str, account_id: str, device_id: str, name: str) -> list[SenderIdentity]:
    found = [SenderIdentity(IdentityKind.EMAIL, email, name)] if email else []
    found += [SenderIdentity(IdentityKind.PHONE, phone, name)] if phone else []
    found += [SenderIdentity(IdentityKind.OPEN311_ACCOUNT, f"{app}:account:{account_id}", name)] if account_id else []
    found += [SenderIdentity(IdentityKind.OPEN311_ACCOUNT, f"{app}:device:{device_id}", name)] if device_id else []
    return found


def request_message(request: ServiceRequestInput, *, app: str, pid: str) -> InboundMessage:
    """A validated request as a message; its service (already looked up) goes to prepare(), not into the event."""
    name = " ".join(p for p in (request.first_name, request.last_name) if p and p != "-")
    identities = _identities(app, request.email, request.phone, request.account_id, request.device_id, name)
    service = request.service
    return InboundMessage(
        channel=Channel.OPEN311, provider_message_id=pid, sender=identities[0] if identities else None,
        extra_identities=identities[1:], contact_name=name, subject=service.name,
        body_text=request.description, visible_text=request.description, service_code=service.code,
        attributes=request.attributes, address=request.address, lat=request.lat, lon=request.lon,
        attachments=[InboundAttachment(m.filename, m.content_type, m.content, is_public=True) for m in request.media],
        source_app=app, always_new_case=True,
    )


def update_message(body: FormBody, *, app: str, pid: str, number: str = "") -> InboundMessage:
    """FixMyStreet's POST servicerequestupdates: a comment on an existing request, threaded by its number (looked
    up from its public id unless the caller already knows it)."""
    data = body.data
    request_id = param(data, "service_request_id")
    if not request_id:
        raise ParseError("service_request_id: required.")
    if not number:
        number = Case.objects.filter(public_id=request_id).values_list("number", flat=True).first() or request_id
    first, last = param(data, "first_name") or "", param(data, "last_name") or ""
    name = " ".join(p for p in (first, last) if p and p != "-")
    try:
        email = normalize_email(param(data, "email") or "") if param(data, "email") else ""
        phone = normalize_phone(param(data, "phone") or "") if param(data, "phone") else ""
    except InvalidIdentity as exc:
        raise ParseError(str(exc)) from exc
    identities = _identities(app, email, phone, param(data, "account_id") or "", "", name)
    text = param(data, "description") or ""
    return InboundMessage(
        channel=Channel.OPEN311, provider_message_id=pid, sender=identities[0] if identities else None,
        extra_identities=identities[1:], contact_name=name, body_text=text, visible_text=text,
        case_number=number, source_app=app,
    )


class Open311Adapter(ChannelAdapter):
    """Parses the raw form bodies the Open311 views stored; the same validation the views ran before storing."""

    channel = Channel.OPEN311
    # GeoReport has no push: clients read public status notes with GET, so sending is publishing them.
    capabilities = Capabilities(public_replies=True, publishes=True)

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        return payload_id(str(meta.get("app", "")), raw, str(meta.get("kind", KIND_REQUEST)))

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        app = str(meta.get("app", ""))
        pid = str(meta.get("pid") or self.provider_message_id(raw, meta))
        try:
            body = decode_form(raw, str(meta.get("content_type", "application/x-www-form-urlencoded")))
            if meta.get("kind") == KIND_UPDATE:
                return [update_message(body, app=app, pid=pid)]
            return [request_message(validate_submission(body), app=app, pid=pid)]
        except Open311Error as exc:
            raise ParseError(str(exc)) from exc

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """Nothing to push: clients read public updates with GET requests and servicerequestupdates."""
        return ""
