"""Twilio's voice callbacks as events: the voicemail's recording and its transcript, each a part of one call.

The voice views store each callback raw (channel "phone", meta["endpoint"] naming the callback); parse_voice makes
one CallPart of it. Every part of a call carries the same InboundMessage (its provider id is the call's), so the
pipeline makes one case message per call and adds each part to it once.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from civicdesk.channels.events import CallPart, Ignored, InboundEvent, InboundMessage, SenderIdentity
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError
from civicdesk.channels.providers.twilio.adapter import verify_request
from civicdesk.channels.providers.twilio.endpoints import Endpoint, conversation_key
from civicdesk.channels.signatures import TWILIO_SIGNATURE_HEADER, form_params

VOICE_ENDPOINTS = (Endpoint.RECORDING, Endpoint.TRANSCRIPTION)
PHONE_IDENTITY = "phone"  # contacts.models.IdentityKind.PHONE (the channel layer does not import contacts)
CALL_ID_PREFIX = "call:"


def _one(params: Mapping[str, list[str]], name: str) -> str:
    values = params.get(name) or [""]
    return values[0].strip()


def call_message_id(call_sid: str) -> str:
    """The provider id of a call's one message: every part of the call carries it."""
    return CALL_ID_PREFIX + call_sid


def payload_id(raw: bytes, meta: Mapping[str, Any]) -> str:
    """The id a voice callback is stored under: its transcription, or its recording and recording event."""
    params = form_params(raw)
    endpoint = str(meta.get("endpoint", ""))
    if endpoint == Endpoint.TRANSCRIPTION:
        return "transcription:" + (_one(params, "TranscriptionSid") or _one(params, "CallSid"))
    status = _one(params, "RecordingStatus") or "action"
    return f"recording:{_one(params, 'RecordingSid') or _one(params, 'CallSid')}:{status}"


def _duration(value: str) -> int | None:
    try:
        return max(0, int(value))
    except ValueError:
        return None


def parse_voice(raw: bytes, meta: Mapping[str, Any]) -> list[InboundEvent]:
    """One voice callback: the <Record> action (the caller, our number, the recording), a recording status
    callback (the recording is ready), or a transcription callback (the transcript, or its failure)."""
    endpoint = str(meta.get("endpoint", ""))
    if endpoint not in VOICE_ENDPOINTS:
        raise ParseError(f"Not a Twilio voice callback: endpoint {endpoint!r}.")
    try:
        params = form_params(raw)
    except Exception as exc:  # noqa: BLE001 (anything unreadable is a parse error, never a crash)
        raise ParseError("The callback's form body cannot be read.") from exc
    call_sid = _one(params, "CallSid")
    if not call_sid:
        raise ParseError("The callback names no CallSid.")
    caller, ours = _one(params, "From"), _one(params, "To")
    status = _one(params, "RecordingStatus")
    message = InboundMessage(
        channel=Channel.PHONE, provider_message_id=call_message_id(call_sid),
        sender=SenderIdentity(PHONE_IDENTITY, caller) if caller else None,
        conversation_key=conversation_key(caller, ours) if caller and ours else "",
        recipient=ours, account_id=meta.get("account_id"), agency_slug=str(meta.get("agency", "")),
        subject=f"Voicemail from {caller}" if caller else "Voicemail",  # the case's subject in the inbox list
    )
    recording_sid, url = _one(params, "RecordingSid"), _one(params, "RecordingUrl")
    duration = _duration(_one(params, "RecordingDuration"))
    if endpoint == Endpoint.TRANSCRIPTION:
        state = _one(params, "TranscriptionStatus").lower()
        return [CallPart(message, part_id="transcription:" + (_one(params, "TranscriptionSid") or call_sid),
                         recording_url=url, recording_sid=recording_sid,
                         transcript=_one(params, "TranscriptionText") if state == "completed" else "",
                         transcript_failed=state != "completed")]
    if status and status.lower() != "completed":  # in-progress, absent, failed: the action request tells the rest
        return [Ignored(Channel.PHONE, payload_id(raw, meta), reason=f"recording status {status}")]
    if not url:
        raise ParseError("The recording callback carries no RecordingUrl.")
    part = "recording-ready:" if status else "recording:"
    return [CallPart(message, part_id=part + (recording_sid or call_sid), recording_url=url,
                     recording_sid=recording_sid, duration_seconds=duration)]


class VoiceAdapter(ChannelAdapter):
    """The "phone" channel's adapter: it parses Twilio's voice callbacks; calls are never placed from the desk
    (an agent's logged call is a record, not a send)."""

    channel = Channel.PHONE
    capabilities = Capabilities()
    signature_header = TWILIO_SIGNATURE_HEADER

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: Any) -> bool:
        """Twilio's signature, exactly as for SMS (the Twilio adapter's check)."""
        return verify_request(url, headers, body, config)

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        return payload_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """Of the parameters in a fixed order: a retry that lists them in another order is the same callback."""
        params = form_params(raw)
        canonical = "&".join(f"{name}={value}" for name in sorted(params) for value in sorted(params[name]))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        return parse_voice(raw, meta)

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        raise PermanentSendError("Nothing is sent on the phone channel: call the resident back, then log the call.")
