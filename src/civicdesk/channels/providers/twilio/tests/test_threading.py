"""Texts thread by the pair of numbers, a case number joins its case from the resident's own number, and the
acknowledgement by SMS gives the case number and its status page, in English or Spanish."""


import pytest
from django.test import Client

from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.providers.twilio.sender import TwilioSender, sms_params
from civicdesk.channels.providers.twilio.tests.conftest import AUTH_TOKEN, RESIDENT
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations.pipeline import process

pytestmark = pytest.mark.django_db
OTHER_RESIDENT = "+14155550123"
OTHER_NUMBER = "+12025550111"


@pytest.fixture
def second_account(account: ChannelAccount) -> ChannelAccount:
    other = ChannelAccount(channel=Channel.SMS, provider=Provider.TWILIO, address=OTHER_NUMBER, agency=account.agency)
    other.set_credentials({"account_sid": "AC" + "9" * 32, "auth_token": AUTH_TOKEN})
    other.save()
    return other


def text(client: Client, account: ChannelAccount, sender: TwilioSender, body: str, *, from_: str = RESIDENT) -> Case:
    params = sms_params(from_=from_, to=account.address, body=body)
    assert sender.sign(endpoint_url(account, Endpoint.SMS), params).send_django(client).status_code == 200
    process(InboundPayload.objects.get(provider_message_id=params["MessageSid"]))
    return Message.objects.select_related("case").get(provider_message_id=params["MessageSid"]).case


def test_texts_from_one_number_to_one_of_ours_continue_the_open_case(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    first = text(client, account, sender, "Water main leaking on Birch Rd")
    again = text(client, account, sender, "It is getting worse, the street is flooding")
    assert again.pk == first.pk
    assert Message.objects.filter(case=first, direction=Direction.INBOUND).count() == 2
    other = text(client, account, sender, "Dead raccoon on Cedar Ln", from_=OTHER_RESIDENT)
    assert other.pk != first.pk


def test_the_same_resident_texting_another_of_our_numbers_starts_another_conversation(
        client: Client, account: ChannelAccount, second_account: ChannelAccount, sender: TwilioSender) -> None:
    first = text(client, account, sender, "Water main leaking on Birch Rd")
    elsewhere = text(client, second_account, sender, "Also, the library is closed early again")
    assert elsewhere.pk != first.pk


def test_a_case_number_in_a_text_from_the_same_number_joins_that_case(
        client: Client, account: ChannelAccount, second_account: ChannelAccount, sender: TwilioSender) -> None:
    first = text(client, account, sender, "Water main leaking on Birch Rd")
    joined = text(client, second_account, sender, f"About {first.number}: the water is now brown")
    assert joined.pk == first.pk


def test_a_case_number_from_another_number_does_not_join_the_case(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    first = text(client, account, sender, "Water main leaking on Birch Rd")
    stranger = text(client, account, sender, f"Any news on {first.number}?", from_=OTHER_RESIDENT)
    assert stranger.pk != first.pk
    assert first.messages.filter(direction=Direction.INBOUND).count() == 1


def test_a_text_after_the_case_closed_starts_a_new_case_linked_to_it(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    first = text(client, account, sender, "Water main leaking on Birch Rd")
    Case.objects.filter(pk=first.pk).update(status=CaseStatus.CLOSED)
    later = text(client, account, sender, "It is leaking again")
    assert later.pk != first.pk


def acknowledgement(case: Case) -> Message:
    return Message.objects.get(case=case, direction=Direction.OUTBOUND, is_automatic=True)


def test_the_acknowledgement_by_sms_gives_the_case_number_and_its_status_page_in_english(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    case = text(client, account, sender, "There is a pothole on Elm Street near the school")
    ack = acknowledgement(case)
    assert ack.channel == "sms" and ack.recipient == RESIDENT and not ack.subject
    assert case.number in ack.body_text and f"/status/{case.public_id}/" in ack.body_text
    assert ack.body_text.startswith("We received your request") and len(ack.body_text) <= 320


def test_the_acknowledgement_is_in_spanish_for_a_spanish_text(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    case = text(client, account, sender, "Hola, hay un bache enorme en la calle Olmo frente al número 214")
    ack = acknowledgement(case)
    assert ack.body_text.startswith("Recibimos su solicitud") and case.number in ack.body_text
    assert f"/status/{case.public_id}/" in ack.body_text


def test_the_acknowledgement_follows_the_known_language_of_the_resident(
        client: Client, account: ChannelAccount, sender: TwilioSender) -> None:
    first = text(client, account, sender, "Hola, la luz de la calle no funciona desde ayer")
    identity = Identity.objects.get(kind=IdentityKind.PHONE, value=RESIDENT)
    assert identity.contact.language == "es"
    Case.objects.filter(pk=first.pk).update(status=CaseStatus.CLOSED)
    later = text(client, account, sender, "Graffiti 5th Ave")  # too short to tell: their language stays
    assert acknowledgement(later).body_text.startswith("Recibimos su solicitud")
