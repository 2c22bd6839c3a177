"""Texts out through the real twilio SDK against Prism serving Twilio's OpenAPI document, and the reports back."""

from typing import Any

import pytest
from django.test import Client
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError
from civicdesk.channels.providers.twilio.adapter import TwilioAdapter
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.providers.twilio.prism import prism  # noqa: F401 - the fixture
from civicdesk.channels.providers.twilio.sender import TwilioSender, sms_params, status_params
from civicdesk.channels.providers.twilio.tests.conftest import OUR_NUMBER, RESIDENT
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations import replies
from civicdesk.conversations.pipeline import process
from civicdesk.conversations.tasks import deliver_message
from civicdesk.testing.factories import create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_requests(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the SDK posted (method, URL, form data), recorded on the way to Prism."""
    seen: list[dict[str, Any]] = []
    original = TwilioHttpClient.request

    def record(self: TwilioHttpClient, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        seen.append({"method": method, "url": url, "data": dict(kwargs.get("data") or {})})
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(TwilioHttpClient, "request", record)
    return seen


@pytest.fixture
def via_prism(settings: Any, prism: str) -> str:  # noqa: F811
    settings.TWILIO_API_BASE_URL = prism
    return prism


def receive(client: Client, account: ChannelAccount, sender: TwilioSender, body: str, *,
            endpoint: str = Endpoint.SMS, params: dict[str, str] | None = None) -> InboundPayload:
    request = sender.sign(endpoint_url(account, endpoint),
                          params or sms_params(from_=RESIDENT, to=OUR_NUMBER, body=body))
    assert request.send_django(client).status_code == 200
    payload = InboundPayload.objects.order_by("-pk").first()
    assert payload is not None
    process(payload)
    payload.refresh_from_db()
    return payload


def test_the_sdk_sends_from_our_number_with_our_status_callback_and_prism_accepts_it(
        account: ChannelAccount, via_prism: str, sent_requests: list[dict[str, Any]]) -> None:
    sid = TwilioAdapter().send(OutboundMessage(to=RESIDENT, sender="", text="Your request CD-2026-000001 is fixed."),
                               AccountConfig.of(account))
    assert sid.startswith("SM")  # Prism's 201 answer, validated against Twilio's OpenAPI document
    [posted] = sent_requests
    assert posted["method"] == "POST" and posted["url"].startswith(via_prism)
    assert posted["url"].endswith(f"/2010-04-01/Accounts/{account.credentials()['account_sid']}/Messages.json")
    assert posted["data"]["From"] == OUR_NUMBER and posted["data"]["To"] == RESIDENT
    assert posted["data"]["StatusCallback"] == f"https://311.riverbend.example/hooks/twilio/{account.pk}/status/"


def test_a_client_error_is_final_with_its_code_in_plain_words(account: ChannelAccount,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise TwilioRestException(400, "https://api.twilio.com/x", "Attempt to send to unsubscribed recipient",
                                  code=21610, method="POST")

    monkeypatch.setattr("twilio.rest.api.v2010.account.message.MessageList.create", refuse)
    with pytest.raises(PermanentSendError, match=r"opted out .* \(Twilio error 21610\)"):
        TwilioAdapter().send(OutboundMessage(to=RESIDENT, sender="", text="Hello"), AccountConfig.of(account))


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_server_error_or_throttling_is_retried(account: ChannelAccount, monkeypatch: pytest.MonkeyPatch,
                                                 status: int) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise TwilioRestException(status, "https://api.twilio.com/x", "Service unavailable", method="POST")

    monkeypatch.setattr("twilio.rest.api.v2010.account.message.MessageList.create", fail)
    with pytest.raises(TwilioRestException):
        TwilioAdapter().send(OutboundMessage(to=RESIDENT, sender="", text="Hello"), AccountConfig.of(account))


def test_a_reply_goes_out_from_the_number_the_resident_texted_and_reports_move_it(
        client: Client, account: ChannelAccount, sender: TwilioSender, via_prism: str,
        sent_requests: list[dict[str, Any]]) -> None:
    payload = receive(client, account, sender, "The crosswalk signal on Main St is dark")
    case = Case.objects.get(pk=payload.case_id)
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)  # the acknowledgement, by SMS
    assert ack.channel == "sms" and ack.recipient == RESIDENT
    deliver_message.call(ack.pk)
    agent = create_staff("agent", agencies=[case.agency])
    reply = replies.reply(case, author=agent, text="A crew is on the way.")
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT and reply.provider_message_id.startswith("SM")
    assert [r["data"]["From"] for r in sent_requests] == [OUR_NUMBER, OUR_NUMBER]
    assert sent_requests[-1]["data"]["Body"] == "A crew is on the way."
    Message.objects.filter(pk=ack.pk).update(provider_message_id="SM" + "1" * 32)  # Prism gives every text one sid
    status = status_params(sid=reply.provider_message_id, status="delivered", from_=OUR_NUMBER, to=RESIDENT)
    receive(client, account, sender, "", endpoint=Endpoint.STATUS, params=status)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED


def test_an_undelivered_report_fails_the_text_with_the_error_in_plain_words_on_the_case(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    payload = receive(client, account, sender, "Broken bench in Riverside Park")
    ack = Message.objects.get(case_id=payload.case_id, direction=Direction.OUTBOUND)
    Message.objects.filter(pk=ack.pk).update(delivery_status=DeliveryStatus.SENT, provider_message_id="SM" + "2" * 32)
    params = status_params(sid="SM" + "2" * 32, status="undelivered", from_=OUR_NUMBER, to=RESIDENT,
                           error_code="30006")
    receive(client, account, sender, "", endpoint=Endpoint.STATUS, params=params)
    receive(client, account, sender, "", endpoint=Endpoint.STATUS, params=params)  # a repeat changes nothing
    ack.refresh_from_db()
    assert ack.delivery_status == DeliveryStatus.FAILED
    assert ack.last_error.startswith("The number cannot receive texts") and "(Twilio error 30006)" in ack.last_error
    entry = AuditEntry.objects.get(case_id=payload.case_id, action=AuditAction.DELIVERY_FAILED)
    assert entry.reason == ack.last_error
    case = Case.objects.get(pk=payload.case_id)
    page = staff_login(Client(), create_staff("agent", agencies=[case.agency])).get(f"/staff/cases/{case.number}/")
    assert ("could not be delivered: the number cannot receive texts: it is probably a landline, or its carrier is "
            "unreachable (Twilio error 30006)") in page.content.decode()
