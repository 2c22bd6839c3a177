"""Consent keywords through the real pipeline: opt out of one sender, one confirmation, opt back in, help, refusals."""

from collections.abc import Callable
from typing import Any

import pytest

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.payloads import store_payload
from civicdesk.contacts.models import Identity
from civicdesk.conversations import pipeline, replies
from civicdesk.conversations.consent import OptedOut, is_opted_out
from civicdesk.conversations.models import ConsentChange, HelpText, SenderConsent
from civicdesk.conversations.tasks import deliver_message
from civicdesk.conversations.tests.consent_helpers import ADAPTER, OTHER_NUMBER, our_number, text
from civicdesk.conversations.tests.inbound import RESIDENT, TestSmsAdapter, receive
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_adapter(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}  # the account's provider sends


@pytest.fixture
def agency() -> Any:
    return create_agency("311", name="Riverbend 311", phone="+1 215 555 0311", email="help@riverbend.example")


@pytest.fixture
def account(agency: Any) -> Any:
    return our_number(agency)


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[Any], Any]:
    """Receive a text and run what it queued (delivery of answers) as the worker would."""
    def received(message: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return receive(message)
    return received


def resident() -> Identity:
    return Identity.objects.get(kind="phone", value=RESIDENT)


def answers() -> list[Message]:
    return list(Message.objects.filter(direction=Direction.OUTBOUND, keyword_reply__isnull=False).order_by("pk"))


def test_stop_on_a_conversation_with_an_open_case_opts_out_of_that_number_with_one_confirmation(run, account):
    case = run(text("Pothole on Main St.", account)).case
    cases, inbound = Case.objects.count(), Message.objects.filter(direction=Direction.INBOUND).count()
    sent_before = len(TestSmsAdapter.sent)
    result = run(text(" Stop! ", account))
    assert result.case is None and Case.objects.count() == cases  # no case opened, the text is not a message
    assert Message.objects.filter(direction=Direction.INBOUND).count() == inbound
    assert is_opted_out(resident(), account.pk)
    [confirmation] = answers()
    assert confirmation.case == case and confirmation.is_automatic and confirmation.recipient == RESIDENT
    assert "unsubscribed" in confirmation.body_text and "Riverbend 311" in confirmation.body_text
    confirmation.refresh_from_db()
    assert confirmation.delivery_status == DeliveryStatus.SENT  # exempt from the refusal it just caused
    assert TestSmsAdapter.sent[sent_before:] == [confirmation.pk]
    entry = AuditEntry.objects.get(action=AuditAction.OPTED_OUT)
    assert entry.case == case and entry.contact == resident().contact
    assert entry.after["keyword"] == "STOP" and entry.after["sender"] == account.address
    change = ConsentChange.objects.get()
    assert (change.opted_out, change.keyword, change.account, change.case) == (True, "STOP", account, case)


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "end", "QUIT.", "revoke!", "OptOut", "cancel",
                                  "Parar", "ALTO!", "¡basta!"])
def test_every_opt_out_keyword_opts_out_and_spanish_ones_answer_in_spanish(run, account, word):
    run(text(word, account))
    assert is_opted_out(resident(), account.pk)
    [confirmation] = answers()
    spanish = word.strip("¡!.").upper() in {"PARAR", "ALTO", "BASTA"}
    assert ("se ha dado de baja" in confirmation.body_text) == spanish
    assert ("unsubscribed" in confirmation.body_text) == (not spanish)
    assert not Case.objects.exists()


def test_a_stop_to_a_number_with_no_case_is_confirmed_on_no_case_from_that_number(run, account):
    run(text("STOP", account))
    [confirmation] = answers()
    assert confirmation.case is None and confirmation.keyword_reply.account == account
    confirmation.refresh_from_db()
    assert confirmation.delivery_status == DeliveryStatus.SENT


def test_the_same_stop_payload_replayed_gives_one_confirmation(run, account, django_capture_on_commit_callbacks):
    stop = text("STOP", account)
    run(stop)
    run(stop)  # the provider's retry: the same id and content
    payload, stored = store_payload("sms", b"STOP", provider_message_id=stop.provider_message_id)
    assert not stored
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.apply(payload, [pipeline.prepare(stop)])  # even applied again by hand
    run(text("stop", account))  # and a second STOP, a new text: already opted out, nothing to confirm
    assert len(answers()) == 1
    assert ConsentChange.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.OPTED_OUT).count() == 1


def test_stop_opts_out_of_that_sender_only(run, agency, account):
    other = our_number(agency, OTHER_NUMBER)
    run(text("STOP", account))
    assert is_opted_out(resident(), account.pk) and not is_opted_out(resident(), other.pk)
    case = run(text("Streetlight out on Elm St.", other)).case  # texting our other number still works
    assert case is not None
    message = replies.reply(case, author=None, text="We are on it.")
    assert message.recipient == RESIDENT


def test_a_reply_to_a_number_that_opted_out_is_refused_before_anything_is_queued(run, account):
    case = run(text("Pothole on Main St.", account)).case
    run(text("STOP", account))
    outbound = Message.objects.filter(case=case, direction=Direction.OUTBOUND).count()
    with pytest.raises(OptedOut, match="opted out of texts from"):
        replies.reply(case, author=None, text="We fixed it.")
    assert Message.objects.filter(case=case, direction=Direction.OUTBOUND).count() == outbound


def test_a_queued_send_to_a_number_that_opted_out_fails_without_a_provider_call_with_the_reason_on_the_case(
        run, account):
    case = run(text("Pothole on Main St.", account)).case
    queued = replies.reply(case, author=None, text="We fixed it.")  # queued before the STOP arrived
    run(text("STOP", account))
    sent_before = list(TestSmsAdapter.sent)
    deliver_message.call(queued.pk)
    queued.refresh_from_db()
    assert queued.delivery_status == DeliveryStatus.FAILED and "opted out of texts from" in queued.last_error
    assert TestSmsAdapter.sent == sent_before
    failure = AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED)
    assert "opted out" in failure.reason


def test_start_opts_back_in_with_a_confirmation_and_replies_go_again(run, account):
    case = run(text("Pothole on Main St.", account)).case
    run(text("STOP", account))
    run(text("Start", account))
    assert not is_opted_out(resident(), account.pk)
    stop, start = answers()
    assert "subscribed again" in start.body_text and start.case == case
    assert AuditEntry.objects.filter(action=AuditAction.OPTED_IN, case=case).count() == 1
    assert SenderConsent.objects.get().opted_out_at is None
    assert replies.reply(case, author=None, text="Fixed.").recipient == RESIDENT


@pytest.mark.parametrize("word", ["YES", "unstop"])
def test_yes_and_unstop_opt_back_in_only_a_number_that_opted_out(run, account, word):
    case = run(text("Is the pothole fixed?", account)).case
    answer = run(text(word, account))  # an answer to an agent, not a keyword: kept on the case
    assert answer.case == case and answer.message.body_text == word
    run(text("STOP", account))
    run(text(word, account))
    assert not is_opted_out(resident(), account.pk)
    assert len(answers()) == 2


def test_help_answers_with_the_agencys_default_help_text_and_opens_no_case(run, account):
    run(text("help", account))
    [answer] = answers()
    assert "Riverbend 311" in answer.body_text and "+1 215 555 0311" in answer.body_text
    assert "help@riverbend.example" in answer.body_text and "STOP" in answer.body_text
    assert not Case.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.KEYWORD_TEXT, after__keyword="HELP").exists()


def test_ayuda_answers_with_the_agencys_spanish_help_text(run, agency, account):
    HelpText.objects.create(agency=agency, text_en="Riverbend 311 help: call 311.",
                            text_es="Ayuda de Riverbend 311: llame al 311.")
    run(text("Ayuda", account))
    run(text("INFO", account))
    spanish, english = answers()
    assert spanish.body_text == "Ayuda de Riverbend 311: llame al 311."
    assert english.body_text == "Riverbend 311 help: call 311."


def test_ayuda_answers_in_spanish_by_default(run, account):
    run(text("AYUDA", account))
    [answer] = answers()
    assert "Riverbend 311" in answer.body_text and "Responda STOP" in answer.body_text


def test_help_from_a_number_that_opted_out_sends_nothing(run, account):
    run(text("STOP", account))
    run(text("HELP", account))
    assert len(answers()) == 1


def test_a_sentence_with_stop_in_it_is_an_ordinary_message(run, account):
    result = run(text("stop by tomorrow please, the pothole is deep", account))
    assert result.created and not is_opted_out(resident(), account.pk)
    assert not answers() and not result.case.stop_requests.exists()


def test_a_keyword_on_a_channel_without_keywords_is_an_ordinary_message(run, account, settings):
    settings.CONSENT_KEYWORD_CHANNELS = ("whatsapp",)
    result = run(text("STOP", account))
    assert result.created and not SenderConsent.objects.exists()


def test_without_a_known_account_stop_keeps_the_channel_wide_flag(run):
    from civicdesk.conversations.tests.inbound import sms

    run(sms("STOP"))
    assert resident().opted_out_at is not None
    assert len(answers()) == 1


def test_a_number_that_opted_out_can_still_report_a_problem_but_gets_no_acknowledgement(run, account):
    run(text("STOP", account))
    result = run(text("Water main break on 5th St.", account))
    assert result.created  # texting us is not opting back in: the case opens, nothing is sent back
    assert not Message.objects.filter(case=result.case, direction=Direction.OUTBOUND).exists()
    assert is_opted_out(resident(), account.pk)


def test_a_channel_wide_opt_out_still_refuses_messages_on_any_channel():
    from civicdesk.contacts.actions import set_opt_out
    from civicdesk.testing.factories import create_case

    create_agency("311")
    case = create_case(email="rosa@example.com")
    set_opt_out("email", "rosa@example.com", opted_out=True)
    with pytest.raises(OptedOut, match="opted out of messages on this channel"):
        replies.reply(case, author=None, text="Hello")
