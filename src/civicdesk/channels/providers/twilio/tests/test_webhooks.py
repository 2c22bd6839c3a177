"""Twilio's webhooks through the real URL: signatures (auth token, shared key, JSON), retries, TwiML answers."""

from typing import Any

import pytest
from django.test import Client

from civicdesk.channels.models import ChannelAccount, InboundPayload, WebhookRejection
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.providers.twilio.sender import TwilioSender, new_sid, sms_params, status_params
from civicdesk.channels.providers.twilio.tests.conftest import OUR_NUMBER, RESIDENT
from civicdesk.core import jobs

pytestmark = pytest.mark.django_db
TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def rejections(account: ChannelAccount) -> dict[str, int]:
    return dict(WebhookRejection.objects.filter(account=account).values_list("reason", "count"))


def text(body: str = "There is a pothole on Elm Street", sid: str = "") -> dict[str, str]:
    return sms_params(from_=RESIDENT, to=OUR_NUMBER, body=body, sid=sid)


def test_a_signed_text_is_stored_once_queued_and_answered_with_empty_twiml(
        client: Client, account: ChannelAccount, sender: TwilioSender, enqueued: list[Any],
        django_capture_on_commit_callbacks: Any) -> None:
    request = sender.sign(endpoint_url(account, Endpoint.SMS), text(sid="SM" + "a" * 32))
    with django_capture_on_commit_callbacks(execute=True):
        response = request.send_django(client)
    assert response.status_code == 200 and response.content == TWIML
    assert response["Content-Type"].startswith("text/xml")
    payload = InboundPayload.objects.get()
    assert payload.channel == "sms" and payload.provider_message_id == "SM" + "a" * 32
    assert payload.meta["account_id"] == account.pk and "endpoint" not in payload.meta
    assert "X-Twilio-Signature" not in payload.meta["headers"]
    assert payload.meta["headers"]["I-Twilio-Idempotency-Token"] == request.headers["I-Twilio-Idempotency-Token"]
    assert enqueued == [(jobs.PROCESS_PAYLOAD, payload.pk)]


def test_a_retry_with_the_same_idempotency_token_is_stored_once(
        client: Client, account: ChannelAccount, sender: TwilioSender, enqueued: list[Any],
        django_capture_on_commit_callbacks: Any) -> None:
    request = sender.sign(endpoint_url(account, Endpoint.SMS), text())
    with django_capture_on_commit_callbacks(execute=True):
        first = request.send_django(client)
        again = request.retry().send_django(client)
    assert first.status_code == again.status_code == 200 and again.content == TWIML
    assert InboundPayload.objects.count() == 1 and len(enqueued) == 1


@pytest.mark.parametrize("forgery", ["forged", "wrong_url", "missing", "other_token", "other_account_url"])
def test_a_forged_wrong_url_or_missing_signature_is_refused_and_nothing_is_stored(
        client: Client, account: ChannelAccount, sender: TwilioSender, forgery: str) -> None:
    url = endpoint_url(account, Endpoint.SMS)
    if forgery == "forged":
        request = sender.sign(url, text(), forge=True)
    elif forgery == "wrong_url":
        request = sender.sign(url, text(), signed_url="https://311.riverbend.example/hooks/twilio/999/")
    elif forgery == "other_token":
        request = TwilioSender(auth_token="someone-elses-token").sign(url, text())
    elif forgery == "other_account_url":
        request = sender.sign(url, text(), signed_url=url.replace("https://", "http://"))
    else:
        request = sender.sign(url, text())
        request.headers.pop("X-Twilio-Signature")
    response = request.send_django(client)
    assert response.status_code == 403
    assert not InboundPayload.objects.exists()
    assert rejections(account) == {"missing_signature" if forgery == "missing" else "bad_signature": 1}


def test_a_status_callback_arrives_on_its_endpoint_and_is_kept_per_status(
        client: Client, account: ChannelAccount, sender: TwilioSender, enqueued: list[Any]) -> None:
    sid = new_sid()
    for status in ("sent", "delivered", "delivered"):
        params = status_params(sid=sid, status=status, from_=OUR_NUMBER, to=RESIDENT)
        response = sender.sign(endpoint_url(account, Endpoint.STATUS), params).send_django(client)
        assert response.status_code == 200 and response.content == TWIML
    stored = list(InboundPayload.objects.order_by("pk").values_list("provider_message_id", "meta__endpoint"))
    assert stored == [(f"{sid}:sent", "status"), (f"{sid}:delivered", "status")]


def test_the_sha256_shared_key_mode_is_accepted_and_its_key_checked(
        client: Client, account: ChannelAccount, shared_key_sender: TwilioSender) -> None:
    url = endpoint_url(account, Endpoint.SMS)
    good = shared_key_sender.sign(url, text())
    assert good.headers["X-Twilio-Webhooks-Signature-Settings"].endswith("algorithm=HMAC_SHA256")
    assert good.send_django(client).status_code == 200
    other_key = TwilioSender(auth_token="x", shared_key="not-our-key", shared_key_id="webhooks_sharedkey_test")
    assert other_key.sign(url, text()).send_django(client).status_code == 403
    other_id = TwilioSender(auth_token="x", shared_key="test-shared-key-for-sha256-webhooks",
                            shared_key_id="webhooks_sharedkey_other")
    assert other_id.sign(url, text()).send_django(client).status_code == 403
    assert InboundPayload.objects.count() == 1


def test_a_json_event_is_verified_by_its_body_sha256(client: Client, account: ChannelAccount,
                                                       sender: TwilioSender) -> None:
    event = [{"specversion": "1.0", "type": "com.twilio.messaging.inbound-message.received", "id": "EZ1",
              "data": {"messageSid": new_sid(), "from": RESIDENT, "to": OUR_NUMBER, "body": "Streetlight out"}}]
    url = endpoint_url(account, Endpoint.SMS)
    assert sender.sign_json(url, event).send_django(client).status_code == 200
    tampered = sender.sign_json(url, event)
    body = tampered.body.replace(b"Streetlight", b"Streetlamp!")
    from dataclasses import replace
    assert replace(tampered, body=body).send_django(client).status_code == 403
    assert InboundPayload.objects.count() == 1


def test_an_unknown_endpoint_is_not_found(client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    url = endpoint_url(account, "nonsense")
    assert sender.sign(url, text()).send_django(client).status_code == 404
    assert not InboundPayload.objects.exists()
