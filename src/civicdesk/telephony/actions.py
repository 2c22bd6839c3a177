"""Every write of telephony: a voicemail's parts on its call, the fetched recording, and calls agents log."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Agency, Service
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases import actions as case_actions
from civicdesk.cases.events import MessageAdded, publish
from civicdesk.cases.models import Attachment, Case, DeliveryStatus, Message
from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.cases.routing import Route
from civicdesk.channels.events import CallPart
from civicdesk.channels.models import Channel
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.identities import normalize_phone
from civicdesk.contacts.models import IdentityKind
from civicdesk.contacts.queries import identity_for
from civicdesk.core.jobs import FETCH_RECORDING, enqueue_on_commit
from civicdesk.telephony.models import Call, CallDirection, CallOutcome, RecordingState

RECORDING_TAG = "recording-not-fetched"
FETCH_ATTEMPTS = 5  # then the recording is shown on the case as not fetched
AUDIO_EXTENSIONS = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/ogg": "ogg"}


def add_call_part(message: Message, part: CallPart) -> Call:
    """One part of a voicemail on its call's message (the pipeline's transaction holds; each part comes once):
    the recording (fetched in the background), its length, or the transcript as the message's text."""
    call = Call.objects.select_for_update().filter(message=message).first()
    if call is None:
        call = Call.objects.create(
            message=message, direction=CallDirection.INBOUND, number=part.message.sender.value if part.message.sender
            else "", our_number=part.message.recipient[:40], account_id=part.message.account_id,
            provider_call_id=part.message.provider_message_id.removeprefix("call:")[:64],
            outcome=CallOutcome.VOICEMAIL, created_at=message.created_at)
    changed: list[str] = []
    if part.duration_seconds is not None and call.duration_seconds is None:
        call.duration_seconds = part.duration_seconds
        changed.append("duration_seconds")
    if part.recording_url and call.recording_state == RecordingState.NONE:  # any part may name it; fetched once
        call.recording_url, call.recording_state = part.recording_url, RecordingState.PENDING
        call.recording_attempts = 0
        changed += ["recording_url", "recording_state", "recording_attempts"]
        enqueue_on_commit(FETCH_RECORDING, call.pk)
    if part.transcript or part.transcript_failed:
        call.transcript_state = "failed" if part.transcript_failed and not part.transcript else "completed"
        changed.append("transcript_state")
        if part.transcript:
            Message.objects.filter(pk=message.pk).update(body_text=part.transcript, visible_text=part.transcript)
            message.body_text = message.visible_text = part.transcript
    if changed:
        call.save(update_fields=changed)
    assert message.case is not None  # a call's message always belongs to a case
    case_actions.touch(message.case)
    return call


def keep_recording(call: Call, content: bytes, content_type: str) -> Attachment | None:
    """The fetched recording as the message's attachment (once: a second fetch of a fetched call keeps nothing)."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.recording_state == RecordingState.FETCHED:
            return None
        extension = AUDIO_EXTENSIONS.get(content_type, "audio")
        name = f"voicemail-{locked.provider_call_id or locked.pk}.{extension}"
        attachment = Attachment.objects.create(message_id=locked.message_id, file=ContentFile(content, name=name),
                                               filename=name, content_type=content_type[:120], size=len(content))
        Call.objects.filter(pk=locked.pk).update(recording_state=RecordingState.FETCHED, recording_error="",
                                                 recording_attempts=locked.recording_attempts + 1)
        return attachment


def recording_failed(call: Call, error: str, *, final: bool) -> int:
    """One failed fetch; the final one marks the recording as not fetched and says so on the case."""
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).select_related("message__case").get(pk=call.pk)
        attempts = locked.recording_attempts + 1
        state = RecordingState.FAILED if final or attempts >= FETCH_ATTEMPTS else RecordingState.PENDING
        Call.objects.filter(pk=locked.pk).update(recording_attempts=attempts, recording_error=error[:2000],
                                                 recording_state=state)
        if state == RecordingState.FAILED:
            reason = gettext("The voicemail recording from %(number)s could not be fetched from Twilio after "
                             "%(attempts)s attempts (%(error)s). The transcript, if any, is on the case.") % {
                "number": locked.number, "attempts": attempts, "error": error[:200]}
            assert locked.message.case is not None  # a call's message always belongs to a case
            case_actions.flag_case(locked.message.case, RECORDING_TAG, reason=reason, actor_label=Channel.PHONE)
        return attempts


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes."""
    return timedelta(minutes=4 ** max(0, attempts - 1))


def _check_agency(actor: Any, agency: Agency) -> None:
    if not is_admin(actor) and agency.pk not in agency_ids(actor):
        raise PermissionDenied(gettext("You can only log calls for your own agencies."))


def _call_message(case: Case, *, actor: Any, direction: str, number: str, duration_seconds: int | None,
                  outcome: str, notes: str) -> Message:
    """The timeline message and call of a logged call; the caller holds the transaction."""
    value = normalize_phone(number)
    contact = resolve_contact([(IdentityKind.PHONE, value)], actor=actor)
    if case.contact_id is None:
        Case.objects.filter(pk=case.pk).update(contact=contact)
        case.contact = contact
    message = Message.objects.create(
        case=case, direction=direction, channel=Channel.PHONE, author=actor, contact=contact,
        sender_identity=identity_for(IdentityKind.PHONE, value) if direction == CallDirection.INBOUND else None,
        recipient=value if direction == CallDirection.OUTBOUND else "", body_text=notes, visible_text=notes,
        delivery_status=DeliveryStatus.RECEIVED, created_at=timezone.now())
    call = Call.objects.create(message=message, direction=direction, number=value, duration_seconds=duration_seconds,
                               outcome=outcome, logged_by=actor, created_at=message.created_at)
    record(AuditAction.CALL_LOGGED, case=case, actor=actor, after={
        "message": message.pk, "direction": direction, "number": value, "outcome": outcome,
        "duration": duration_seconds})
    case_actions.touch(case)
    message.call_info = call  # type: ignore[attr-defined]
    publish(MessageAdded(case, message))
    return message


@transaction.atomic
def log_call(case: Case, *, actor: Any, direction: str, number: str, duration_seconds: int | None, outcome: str,
             notes: str = "") -> Message:
    """An agent logs a call on a case they may change (the view checked; a merged-away case refuses)."""
    case_actions.refuse_if_merged(case)
    _check_agency(actor, case.agency)
    return _call_message(case, actor=actor, direction=direction, number=number, duration_seconds=duration_seconds,
                         outcome=outcome, notes=notes)


@transaction.atomic
def log_call_as_new_case(*, actor: Any, service: Service, number: str, direction: str, duration_seconds: int | None,
                         outcome: str, notes: str = "") -> Message:
    """A call that starts a case: the service's agency owns it (one of the agent's own), the caller's contact is
    found or created from the number."""
    _check_agency(actor, service.agency)
    value = normalize_phone(number)
    contact = resolve_contact([(IdentityKind.PHONE, value)], actor=actor)
    route = Route(service.agency, service.default_team, f"Logged by staff as a call about '{service.name}'",
                  {"router": "logged_call"})
    case = case_actions.create_case(channel=Channel.PHONE, route=route, service=service, contact=contact,
                                    subject=service.name, description=notes, actor=actor)
    return _call_message(case, actor=actor, direction=direction, number=value, duration_seconds=duration_seconds,
                         outcome=outcome, notes=notes)
