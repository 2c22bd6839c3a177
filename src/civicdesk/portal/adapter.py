"""The web portal channel: form submissions and residents' status-page comments in, public updates out."""

import base64
import binascii
import json
from typing import Any

from civicdesk.channels.events import InboundAttachment, InboundEvent, InboundMessage, SenderIdentity
from civicdesk.channels.media import read_staged
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.contacts.models import IdentityKind

PAYLOAD_VERSION = 2  # 2: photos are staged files named by sha256 (channels.media); 1 carried them as base64
READABLE_VERSIONS = (1, 2)
UPDATE_KIND = "update"  # a resident's comment from their status page (no "kind": a new request)


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ParseError(f"Portal submission field '{key}' must be text.")
    if required and not value.strip():
        raise ParseError(f"Portal submission has no '{key}'.")
    return value.strip()


def _coordinate(data: dict[str, Any], key: str, limit: float) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise ParseError(f"Portal submission field '{key}' is not a coordinate within ±{limit}.")
    return float(value)


def _photo_content(photo: dict[str, Any], index: int) -> bytes:
    """A photo staged as a file (named by its sha256, since version 2), or inline base64 (version 1 payloads)."""
    if "sha256" in photo:
        return read_staged(Channel.WEB, _text(photo, "sha256", required=True))
    try:
        return base64.b64decode(_text(photo, "data_base64", required=True), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ParseError(f"Portal photo {index} is not valid base64.") from exc


def _photos(data: dict[str, Any]) -> list[InboundAttachment]:
    photos = data.get("photos") or []
    if not isinstance(photos, list):
        raise ParseError("Portal submission field 'photos' must be a list.")
    attachments = []
    for index, photo in enumerate(photos, start=1):
        if not isinstance(photo, dict):
            raise ParseError(f"Portal photo {index} is not an object.")
        content = _photo_content(photo, index)
        attachments.append(InboundAttachment(
            filename=_text(photo, "filename") or f"photo-{index}", content=content, is_public=True,
            content_type=_text(photo, "content_type") or "application/octet-stream",
        ))
    return attachments


class WebAdapter(ChannelAdapter):
    """Parses the JSON the portal builds from a validated form (see civicdesk.portal.actions)."""

    channel = Channel.WEB
    capabilities = Capabilities(subjects=True, public_replies=True, publishes=True)  # the status page shows it

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """The provider id is our own form token, issued once per form: every copy with it is the same submission,
        whatever it holds (a double submit carries another submitted_at, a resubmit after "back" edited fields)."""
        return ""

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ParseError(f"Portal submission is not JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") not in READABLE_VERSIONS:
            raise ParseError("Portal submission is not of a version this CivicDesk reads (1 or 2).")
        if data.get("kind") == UPDATE_KIND:
            return [self._resident_update(data)]
        contact = data.get("contact") or {}
        attributes = data.get("attributes") or {}
        if not isinstance(contact, dict) or not isinstance(attributes, dict):
            raise ParseError("Portal submission fields 'contact' and 'attributes' must be objects.")
        name = " ".join(p for p in (_text(contact, "first_name"), _text(contact, "last_name")) if p)
        email, phone = _text(contact, "email"), _text(contact, "phone")
        identities = [SenderIdentity(IdentityKind.EMAIL, email, name)] if email else []
        identities += [SenderIdentity(IdentityKind.PHONE, phone, name)] if phone else []
        description = _text(data, "description", required=True)
        return [InboundMessage(
            channel=self.channel,
            provider_message_id=_text(data, "form_token", required=True),
            sender=identities[0] if identities else None,
            extra_identities=identities[1:],
            contact_name=name,
            subject=_text(data, "service_name") or _text(data, "service_code"),
            body_text=description,
            visible_text=description,
            service_code=_text(data, "service_code", required=True),
            attributes=attributes,
            address=_text(data, "address"),
            lat=_coordinate(data, "lat", 90),
            lon=_coordinate(data, "lon", 180),
            attachments=_photos(data),
            always_new_case=True,
        )]

    def _resident_update(self, data: dict[str, Any]) -> InboundMessage:
        """A comment (and photos) the verified resident sent from their status page, into their own case.

        The portal proved the resident (their session) before storing this, so the case number is an explicit,
        trusted thread like an Open311 update's; "not fixed" was applied by the portal (it reopened the case)."""
        contact = data.get("contact") or {}
        if not isinstance(contact, dict):
            raise ParseError("Portal update field 'contact' must be an object.")
        email, phone = _text(contact, "email"), _text(contact, "phone")
        name = _text(contact, "name")
        identities = [SenderIdentity(IdentityKind.EMAIL, email, name)] if email else []
        identities += [SenderIdentity(IdentityKind.PHONE, phone, name)] if phone else []
        text = _text(data, "text")
        attachments = _photos(data)
        if not text and not attachments:
            raise ParseError("Portal update has neither text nor photos.")
        return InboundMessage(
            channel=self.channel,
            provider_message_id=_text(data, "form_token", required=True),
            sender=identities[0] if identities else None,
            extra_identities=identities[1:],
            subject=_text(data, "subject"),
            body_text=text,
            visible_text=text,
            case_number=_text(data, "case_number", required=True),
            attachments=attachments,
        )

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """A public update needs no delivery: the status page shows outbound public messages."""
        return ""
