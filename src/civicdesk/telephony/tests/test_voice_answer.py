"""Calls to an agency's Twilio number: the TwiML greeting in both languages, in and out of business hours, and
every voice webhook signature-checked like SMS (SHA-1 with the auth token, SHA-256 with a shared key)."""

import xml.etree.ElementTree as ET
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from civicdesk.calendars.actions import calendar_of, set_hours
from civicdesk.calendars.business_time import Schedule, is_open
from civicdesk.calendars.queries import default_schedule
from civicdesk.channels.models import InboundPayload, WebhookRejection
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.telephony.tests.voice_sender import post, recording_params, sid, voice

NEW_YORK = ZoneInfo("America/New_York")
TUESDAY_MORNING = datetime(2026, 12, 8, 10, 30, tzinfo=NEW_YORK)
SATURDAY_NIGHT = datetime(2026, 12, 12, 22, 0, tzinfo=NEW_YORK)


@pytest.fixture
def at(monkeypatch, settings):
    settings.TIME_ZONE = "America/New_York"

    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return set_now


def says(response):
    root = ET.fromstring(response.content)
    greeting = {}
    for say in root.findall("Say"):
        greeting.setdefault(say.get("language"), say.text)  # the first of each language (the greeting)
    return greeting, root


def test_a_call_in_business_hours_hears_the_agency_in_english_and_spanish_with_the_recording_notice(
        client, account, at):
    at(TUESDAY_MORNING)
    response = voice(client, account)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    spoken, root = says(response)
    english, spanish = spoken["en-US"], spoken["es-US"]
    assert english.startswith("Thank you for calling Water Department. This call is recorded.")
    assert "helping other residents" in english and "closed" not in english
    assert spanish.startswith("Gracias por llamar a Departamento de Agua. Esta llamada se graba.")
    assert "cerrada" not in spanish


def test_a_call_out_of_hours_hears_that_the_office_is_closed_in_both_languages(client, account, at):
    at(SATURDAY_NIGHT)
    spoken, _root = says(voice(client, account))
    assert "Our office is closed now." in spoken["en-US"]
    assert "Nuestra oficina está cerrada en este momento." in spoken["es-US"]
    assert "This call is recorded." in spoken["en-US"] and "Esta llamada se graba." in spoken["es-US"]


def test_the_greeting_ends_in_voicemail_with_record_its_callbacks_and_transcription(client, account, at):
    at(TUESDAY_MORNING)
    _spoken, root = says(voice(client, account))
    record = root.find("Record")
    assert record is not None
    assert record.get("action") == endpoint_url(account, Endpoint.RECORDING)
    assert record.get("recordingStatusCallback") == endpoint_url(account, Endpoint.RECORDING)
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == endpoint_url(account, Endpoint.TRANSCRIPTION)
    assert record.get("maxLength") == "180" and record.get("finishOnKey") == "#" and record.get("playBeep") == "true"
    assert [child.tag for child in root] == ["Say", "Say", "Record", "Say", "Say", "Hangup"]


def test_an_agency_s_own_schedule_decides(client, account, at):
    at(SATURDAY_NIGHT)
    week = [[(time(8), time(17))]] * 5 + [[(time(20), time(0))], []]
    set_hours(calendar_of(agency=account.agency), week, actor=None)
    spoken, _root = says(voice(client, account))
    assert "closed" not in spoken["en-US"]


def test_admins_edit_an_agency_s_business_hours_in_the_admin(admin_client, agency):
    calendar = calendar_of(agency=agency)
    page = admin_client.get(f"/admin/calendars/businesscalendar/{calendar.pk}/change/")
    assert page.status_code == 200 and b"intervals-TOTAL_FORMS" in page.content


def test_the_default_week_is_monday_to_friday_eight_to_five(settings):
    settings.TIME_ZONE = "America/New_York"
    default = default_schedule()
    assert is_open(default, TUESDAY_MORNING)
    assert not is_open(default, TUESDAY_MORNING.replace(hour=17))
    assert is_open(default, TUESDAY_MORNING.replace(hour=8, minute=0))
    assert not is_open(default, SATURDAY_NIGHT.replace(hour=10))
    saturday_evenings = Schedule(zone="America/New_York", week=((),) * 5 + (((time(20), time(0)),), ()))
    assert is_open(saturday_evenings, SATURDAY_NIGHT)


def test_the_answer_reads_only_the_account_and_the_schedule(client, account, at, django_assert_max_num_queries):
    at(TUESDAY_MORNING)
    with django_assert_max_num_queries(2):
        assert voice(client, account).status_code == 200


def test_the_answer_never_fails_an_error_on_our_side_is_an_apology(client, account, at, monkeypatch):
    at(TUESDAY_MORNING)

    def broken(agency_id):
        raise RuntimeError("schedule table gone")
    monkeypatch.setattr("civicdesk.telephony.views.schedule_for", broken)
    response = voice(client, account)
    assert response.status_code == 200
    spoken, root = says(response)
    assert "cannot take messages" in spoken["en-US"] and "Lo sentimos" in spoken["es-US"]
    assert root.find("Hangup") is not None


@pytest.mark.parametrize("mode", ["sha1", "sha256"])
def test_a_signed_call_is_answered_in_either_signature_mode(client, account, at, mode):
    at(TUESDAY_MORNING)
    assert voice(client, account, mode=mode).status_code == 200


@pytest.mark.parametrize("endpoint", [Endpoint.VOICE, Endpoint.RECORDING, Endpoint.TRANSCRIPTION])
def test_a_forged_or_unsigned_callback_is_refused_and_nothing_is_stored(client, account, endpoint):
    params = recording_params(sid("CA"), sid("RE"))
    assert post(client, account, endpoint, params, forged=True).status_code == 403
    assert post(client, account, endpoint, params, mode="none").status_code == 403
    assert InboundPayload.objects.count() == 0
    reasons = dict(WebhookRejection.objects.values_list("reason", "count"))
    assert reasons == {"bad_signature": 1, "missing_signature": 1}


def test_a_signature_over_another_url_is_refused(client, account):
    params = recording_params(sid("CA"), sid("RE"))
    wrong = endpoint_url(account, Endpoint.TRANSCRIPTION)
    assert post(client, account, Endpoint.RECORDING, params, url=wrong).status_code == 403
    assert InboundPayload.objects.count() == 0


def test_a_sha256_signature_made_with_the_auth_token_is_refused(client, account):
    from twilio.request_validator import HMAC_SHA256

    from civicdesk.telephony.tests.voice_sender import AUTH_TOKEN, SETTINGS_HEADER, sign
    params = recording_params(sid("CA"), sid("RE"))
    url = endpoint_url(account, Endpoint.RECORDING)
    headers = {"X-Twilio-Signature": sign(url, params, AUTH_TOKEN, HMAC_SHA256),
               SETTINGS_HEADER: "key=k,algorithm=HMAC_SHA256"}
    assert post(client, account, Endpoint.RECORDING, params, mode="none", headers=headers).status_code == 403


def test_an_unknown_or_inactive_number_is_not_found(client, account):
    account.is_active = False
    account.save()
    assert voice(client, account).status_code == 404
