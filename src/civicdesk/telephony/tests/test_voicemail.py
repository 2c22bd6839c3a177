"""A voicemail becomes one message on a case in the caller's conversation: the recording (fetched with the
account's credentials in the background) and the transcript, each applied once, whatever order they come in."""

import pytest

from civicdesk.cases.models import Case, Message
from civicdesk.channels.events import InboundMessage, SenderIdentity
from civicdesk.channels.media import MediaFetchFailed, MediaRejected
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.providers.twilio.endpoints import Endpoint, conversation_key
from civicdesk.channels.providers.twilio.media import FetchedMedia
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.pipeline import apply, prepare
from civicdesk.telephony import actions
from civicdesk.telephony.models import Call, CallOutcome, RecordingState
from civicdesk.telephony.tests.voice_sender import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER,
    OUR_NUMBER,
    post,
    recording_params,
    sid,
    transcription_params,
)

AUDIO = b"ID3" + b"\x00" * 1000


@pytest.fixture
def fetched(monkeypatch):
    """Twilio's recording store, stood in for: records each fetch (URL and credentials) and answers audio."""
    calls = []

    def fetch(url, config, **kwargs):
        calls.append((url, config.credentials["account_sid"], config.credentials["auth_token"]))
        return FetchedMedia(AUDIO, "audio/mpeg")
    monkeypatch.setattr("civicdesk.telephony.tasks.fetch_media", fetch)
    return calls


def leave_voicemail(client, account, capture, *, transcript="The hydrant on Elm Street is leaking.",
                    transcript_first=False, mode="sha1"):
    call_sid, recording_sid = sid("CA"), sid("RE")
    requests = [(Endpoint.RECORDING, recording_params(call_sid, recording_sid)),
                (Endpoint.TRANSCRIPTION, transcription_params(call_sid, recording_sid, transcript))]
    if transcript_first:
        requests.reverse()
    for endpoint, params in requests:
        with capture(execute=True):
            response = post(client, account, endpoint, params, mode=mode)
        assert response.status_code == 200
    return call_sid


def test_a_voicemail_and_its_transcript_make_one_message_on_a_new_case_in_the_caller_s_conversation(
        client, account, fetched, django_capture_on_commit_callbacks):
    call_sid = leave_voicemail(client, account, django_capture_on_commit_callbacks)
    message = Message.objects.get(channel="phone")
    assert message.provider_message_id == f"call:{call_sid}"
    assert message.body_text == "The hydrant on Elm Street is leaking."
    case = message.case
    assert case.agency == account.agency and case.channel == "phone"
    assert case.contact.identities.get().value == CALLER
    conversation = Conversation.objects.get()
    assert conversation.account == account and conversation.case == case
    assert conversation.thread_key == conversation_key(CALLER, OUR_NUMBER)
    call = Call.objects.get()
    assert (call.message, call.outcome, call.duration_seconds, call.number) == (message, CallOutcome.VOICEMAIL, 42,
                                                                                 CALLER)
    assert call.recording_state == RecordingState.FETCHED and call.transcript_state == "completed"
    attachment = message.attachments.get()
    assert attachment.content_type == "audio/mpeg" and attachment.size == len(AUDIO)
    assert fetched == [(call.recording_url, ACCOUNT_SID, AUTH_TOKEN)]
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {PayloadStatus.PROCESSED}


def test_a_transcript_that_arrives_first_makes_the_message_and_the_recording_joins_it(
        client, account, fetched, django_capture_on_commit_callbacks):
    leave_voicemail(client, account, django_capture_on_commit_callbacks, transcript_first=True, mode="sha256")
    message = Message.objects.get(channel="phone")
    assert message.body_text == "The hydrant on Elm Street is leaking."
    assert message.attachments.count() == 1 and Case.objects.count() == 1


def test_a_retried_callback_and_a_replayed_payload_change_nothing(client, account, fetched,
                                                                  django_capture_on_commit_callbacks):
    from civicdesk.conversations.pipeline import replay
    call_sid, recording_sid = sid("CA"), sid("RE")
    params = transcription_params(call_sid, recording_sid, "First words.")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            post(client, account, Endpoint.TRANSCRIPTION, params, headers={"I-Twilio-Idempotency-Token": "tok-1"})
    assert InboundPayload.objects.count() == 1
    replay(InboundPayload.objects.get())
    assert Message.objects.filter(channel="phone").count() == 1 and Call.objects.count() == 1


def test_a_later_text_from_the_same_number_continues_the_voicemail_s_case(
        client, account, fetched, django_capture_on_commit_callbacks, settings):
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS,
                                 "sms": "civicdesk.conversations.tests.inbound.TestSmsAdapter"}
    leave_voicemail(client, account, django_capture_on_commit_callbacks)
    case = Case.objects.get()
    text = InboundMessage(channel="sms", provider_message_id=sid("SM"), sender=SenderIdentity("phone", CALLER),
                          body_text="Also, the water is brown.", conversation_key=conversation_key(CALLER, OUR_NUMBER),
                          account_id=account.pk, recipient=OUR_NUMBER)
    payload, _ = store_payload("sms", b"text", provider_message_id=text.provider_message_id)
    result = apply(payload, [prepare(text)])
    assert result.case == case and not result.created
    assert list(case.messages.values_list("channel", flat=True)) == ["phone", "sms"]


def test_a_recording_that_cannot_be_fetched_is_retried_then_shown_on_the_case(
        client, account, monkeypatch, django_capture_on_commit_callbacks):
    attempts = []

    def unreachable(url, config, **kwargs):
        attempts.append(url)
        raise MediaFetchFailed("Twilio answered 503 for the file.")
    monkeypatch.setattr("civicdesk.telephony.tasks.fetch_media", unreachable)
    leave_voicemail(client, account, django_capture_on_commit_callbacks)
    call = Call.objects.get()
    assert len(attempts) == actions.FETCH_ATTEMPTS
    assert call.recording_state == RecordingState.FAILED and "503" in call.recording_error
    case = Case.objects.get()
    assert actions.RECORDING_TAG in case.tags.values_list("name", flat=True)
    reason = case.audit.get(action="tags_changed").reason
    assert "could not be fetched" in reason and CALLER in reason
    assert Message.objects.get(channel="phone").body_text == "The hydrant on Elm Street is leaking."


def test_a_recording_that_is_not_audio_is_refused_at_once(client, account, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    def html(url, config, **kwargs):
        raise MediaRejected("The file's type text/html is not accepted.")
    monkeypatch.setattr("civicdesk.telephony.tasks.fetch_media", html)
    leave_voicemail(client, account, django_capture_on_commit_callbacks)
    call = Call.objects.get()
    assert call.recording_state == RecordingState.FAILED and call.recording_attempts == 1


def test_a_callback_without_a_call_id_is_quarantined_not_lost(client, account, django_capture_on_commit_callbacks):
    params = transcription_params("", sid("RE"), "words")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, account, Endpoint.TRANSCRIPTION, params).status_code == 200
    payload = InboundPayload.objects.get()
    assert payload.status == PayloadStatus.QUARANTINED and "CallSid" in payload.error


def test_a_retry_listing_the_parameters_in_another_order_is_the_same_callback(client, account, fetched,
                                                                             django_capture_on_commit_callbacks):
    params = transcription_params(sid("CA"), sid("RE"), "Same words.")
    for ordered in (params, dict(reversed(list(params.items())))):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, account, Endpoint.TRANSCRIPTION, ordered).status_code == 200
    assert InboundPayload.objects.count() == 1
