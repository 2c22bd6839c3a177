"""Alerts by text through the real ingest pipeline: JOIN subscribes, YES confirms, STOP ends them and opts out."""

from collections.abc import Callable
from typing import Any

import pytest

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.contacts.models import Identity
from civicdesk.conversations.consent import is_opted_out
from civicdesk.conversations.tests.consent_helpers import text
from civicdesk.conversations.tests.inbound import RESIDENT, receive
from civicdesk.crisis import subscriptions
from civicdesk.crisis.models import AlertChannel, Subscription, SubscriptionStatus
from civicdesk.crisis.tests.helpers import ADAPTER, alert_number
from civicdesk.gis.demo import seed_boundaries
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_adapter(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}


@pytest.fixture
def account() -> Any:
    return alert_number(create_agency("311", name="Riverbend 311"))


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[Any], Any]:
    def received(message: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return receive(message)
    return received


def answers() -> list[str]:
    return list(Message.objects.filter(direction=Direction.OUTBOUND).order_by("pk").values_list("body_text", flat=True))


def test_join_subscribes_the_number_to_the_whole_city_with_one_answer_and_no_case(run, account):
    run(text("Join", account))
    subscription = Subscription.objects.get()
    assert (subscription.channel, subscription.address, subscription.area, subscription.status) == (
        AlertChannel.SMS, RESIDENT, None, SubscriptionStatus.ACTIVE)
    assert subscription.account_id == account.pk
    assert Case.objects.count() == 0
    assert len(answers()) == 1 and "whole city" in answers()[0] and "STOP" in answers()[0]


def test_join_with_a_ward_number_subscribes_to_that_ward_and_an_unknown_area_is_explained(run, account):
    seed_boundaries()
    run(text("JOIN 3", account))
    assert Subscription.objects.get().area.name == "Ward 3"
    run(text("join Narnia", account))
    assert Subscription.objects.count() == 1
    assert "Ward 1" in answers()[-1]


def test_unirse_answers_in_spanish(run, account):
    run(text("UNIRSE", account))
    assert Subscription.objects.get().language == "es"
    assert "toda la ciudad" in answers()[0]


def test_yes_confirms_a_web_subscription_and_is_otherwise_an_ordinary_message(
        run, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions.subscribe(AlertChannel.SMS, RESIDENT, account_id=account.pk)
    assert "YES" in answers()[0]  # the request to confirm, by text
    run(text("Yes", account))
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    assert Case.objects.count() == 0
    run(text("YES", account))  # nothing pending: a YES is an answer on a case, as before
    assert Case.objects.count() == 1


def test_stop_ends_every_alert_subscription_and_keeps_the_opt_out_registry(run, account):
    run(text("JOIN", account))
    run(text("STOP", account))
    assert Subscription.objects.get().status == SubscriptionStatus.ENDED
    identity = Identity.objects.get(kind="phone", value=RESIDENT)
    assert is_opted_out(identity, account.pk)
    run(text("JOIN", account))  # joining again is asking for texts again
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    identity.refresh_from_db()
    assert not is_opted_out(identity, account.pk)


def test_a_repeated_text_applies_once(account, django_capture_on_commit_callbacks):
    message = text("JOIN", account)
    with django_capture_on_commit_callbacks(execute=True):
        receive(message)
    with django_capture_on_commit_callbacks(execute=True):
        receive(message)
    assert Subscription.objects.count() == 1
    assert len(answers()) == 1
