"""Free-text requests to stop texts: on the case as usual, flagged with a 10-business-day deadline, then decided."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Direction
from civicdesk.contacts.models import Identity
from civicdesk.conversations.consent import is_opted_out
from civicdesk.conversations.models import ConsentChange, KeywordReply, StopRequest, StopRequestStatus
from civicdesk.conversations.stop_requests import AlreadyDecided, decide
from civicdesk.conversations.tests.consent_helpers import ADAPTER, our_number, text
from civicdesk.conversations.tests.inbound import RESIDENT, receive
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_adapter(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}  # the account's provider sends


@pytest.fixture
def account() -> Any:
    return our_number(create_agency("311", name="Riverbend 311"))


@pytest.mark.parametrize("words", ["please stop texting me", "no más mensajes", "don't text me anymore",
                                   "unsubscribe me please"])
def test_a_request_to_stop_in_words_goes_on_the_case_and_is_flagged_for_a_person(account, words):
    result = receive(text(words, account))
    assert result.created and result.message.body_text == words  # on a case as usual
    flagged = StopRequest.objects.get()
    assert flagged.case == result.case and flagged.message == result.message
    assert flagged.status == StopRequestStatus.PENDING and flagged.account == account
    assert flagged.identity == Identity.objects.get(value=RESIDENT)
    assert not is_opted_out(flagged.identity, account.pk)  # nobody decided yet
    entry = AuditEntry.objects.get(case=result.case, action=AuditAction.STOP_REQUEST_FLAGGED)
    assert entry.after["due_on"] == flagged.due_on.isoformat()


def test_the_deadline_is_ten_business_days_skipping_a_federal_holiday(account, settings, monkeypatch):
    settings.TIME_ZONE = "America/New_York"
    friday = datetime(2026, 9, 4, 16, 30, tzinfo=ZoneInfo("America/New_York"))  # the Friday before Labor Day
    monkeypatch.setattr(timezone, "now", lambda: friday)
    receive(text("Please stop texting me", account))
    assert StopRequest.objects.get().due_on == date(2026, 9, 21)  # not the 18th: Monday the 7th is a holiday


def test_confirming_opts_out_of_that_sender_without_a_text_and_is_audited(account):
    case = receive(text("stop sending me messages", account)).case
    agent = create_staff("sam", agencies=[account.agency])
    decided = decide(StopRequest.objects.get().pk, confirm=True, actor=agent)
    assert decided.status == StopRequestStatus.CONFIRMED and decided.decided_by == agent
    assert is_opted_out(decided.identity, account.pk)
    change = ConsentChange.objects.get()
    assert (change.source, change.actor, change.case) == ("staff", agent, case)
    entry = AuditEntry.objects.get(case=case, action=AuditAction.OPTED_OUT)
    assert entry.actor == agent and entry.after["source"] == "staff"
    assert not KeywordReply.objects.exists()  # no confirmation text for a staff decision
    with pytest.raises(AlreadyDecided):
        decide(decided.pk, confirm=False, actor=agent)


def test_dismissing_keeps_consent_and_is_audited(account):
    case = receive(text("no me manden más mensajes", account)).case
    agent = create_staff("sam", agencies=[account.agency])
    decided = decide(StopRequest.objects.get().pk, confirm=False, actor=agent)
    assert decided.status == StopRequestStatus.DISMISSED
    assert not is_opted_out(decided.identity, account.pk)
    assert AuditEntry.objects.filter(case=case, action=AuditAction.STOP_REQUEST_DISMISSED, actor=agent).exists()


def test_an_ordinary_message_and_a_keyword_are_never_flagged(account):
    receive(text("Stop by tomorrow please, the hole is deep", account))
    receive(text("STOP", account))
    assert not StopRequest.objects.exists()


def test_a_request_on_a_continued_case_is_flagged_on_that_case(account):
    case = receive(text("Pothole on Main St.", account)).case
    again = receive(text("ok thanks. now please stop messaging me", account))
    assert again.case == case and case.messages.filter(direction=Direction.INBOUND).count() == 2
    assert StopRequest.objects.get().case == case
