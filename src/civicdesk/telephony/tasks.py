"""Background jobs of telephony: fetching a voicemail's recording from Twilio with the account's credentials."""

import logging

from django.utils import timezone
from django_tasks import task

from civicdesk.channels.credentials import CredentialsError
from civicdesk.channels.media import MediaFetchFailed, MediaRejected
from civicdesk.channels.providers.twilio.media import fetch_media
from civicdesk.channels.registry import AccountConfig
from civicdesk.core.jobs import FETCH_RECORDING, enqueue
from civicdesk.telephony import actions
from civicdesk.telephony.models import Call, RecordingState

log = logging.getLogger(__name__)


@task(queue_name="inbound")
def fetch_recording(call_id: int) -> str:
    """One attempt at the recording: kept as the message's attachment, or retried later (with backoff), or, after
    the last attempt or a refusal (too large, not audio), shown on the case as not fetched."""
    call = Call.objects.select_related("account").filter(pk=call_id).first()
    if call is None or call.recording_state != RecordingState.PENDING:
        return "nothing to do"
    try:
        if call.account is None:
            raise MediaRejected("The number this voicemail came to is no longer connected.")
        media = fetch_media(call.recording_url, AccountConfig.of(call.account))
        if not media.content_type.startswith("audio/"):
            raise MediaRejected(f"The recording came as {media.content_type[:100]}, not as audio.")
    except (MediaFetchFailed, MediaRejected, CredentialsError) as exc:
        refused = isinstance(exc, MediaRejected | CredentialsError)  # trying again would not help
        attempts = actions.recording_failed(call, str(exc), final=refused)
        log.warning("Recording of call %s not fetched (attempt %s): %s", call.pk, attempts, type(exc).__name__)
        if not refused and attempts < actions.FETCH_ATTEMPTS:
            enqueue(FETCH_RECORDING, call.pk, run_after=timezone.now() + actions.retry_delay(attempts))
        return "failed"
    actions.keep_recording(call, media.content, media.content_type)
    return "fetched"
