"""In a surge, acknowledgements yield to intake: they wait while received texts are not yet on cases, for a bounded
time from when they were made, and a reply a person wrote never waits."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import DeliveryStatus, Message
from civicdesk.channels import intake_lag, spool
from civicdesk.channels.models import ChannelAccount, InboundPayload, PayloadStatus
from civicdesk.channels.providers.twilio.sender import TwilioSender
from civicdesk.channels.providers.twilio.tests.test_inbound_batch import send
from civicdesk.conversations import batch, intake_priority

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledgement(client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None) -> Message:
    send(client, sender, account, 0)
    assert batch.drain() == 1
    return Message.objects.get(direction="out", is_automatic=True, delivery_status=DeliveryStatus.QUEUED)


def fall_behind(client: Client, account: ChannelAccount, sender: TwilioSender, seconds: float) -> InboundPayload:
    send(client, sender, account, 1, from_="+12155550999")
    payload = InboundPayload.objects.get(status=PayloadStatus.RECEIVED)
    InboundPayload.objects.filter(pk=payload.pk).update(received_at=timezone.now() - timedelta(seconds=seconds))
    return payload


def test_an_acknowledgement_waits_while_intake_is_behind_and_goes_once_it_caught_up(
        client: Client, account: ChannelAccount, sender: TwilioSender, acknowledgement: Message) -> None:
    assert intake_lag.seconds_behind() == 0.0
    assert intake_priority.hold_automatic([acknowledgement.pk]) == 0.0  # nothing waiting: no wait
    fall_behind(client, account, sender, 5)
    assert 4.9 < intake_lag.seconds_behind() < 6
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            assert batch.drain() == 1  # intake catches up meanwhile

    assert intake_priority.hold_automatic([acknowledgement.pk], sleep=pause) == 1.0
    assert pauses == [0.5, 0.5]
    assert intake_lag.seconds_behind() == 0.0


def test_a_reply_a_person_wrote_never_waits(client: Client, account: ChannelAccount, sender: TwilioSender,
                                            acknowledgement: Message) -> None:
    fall_behind(client, account, sender, 5)
    Message.objects.filter(pk=acknowledgement.pk).update(is_automatic=False)
    assert intake_priority.hold_automatic([acknowledgement.pk], sleep=pytest.fail) == 0.0


def test_the_wait_ends_the_longest_hold_after_the_message_was_made(
        client: Client, account: ChannelAccount, sender: TwilioSender, acknowledgement: Message, settings: Any) -> None:
    fall_behind(client, account, sender, 5)
    settings.AUTOMATIC_HOLD_MAX_SECONDS = 30
    Message.objects.filter(pk=acknowledgement.pk).update(created_at=timezone.now() - timedelta(seconds=31))
    assert intake_priority.hold_automatic([acknowledgement.pk], sleep=pytest.fail) == 0.0
    settings.AUTOMATIC_HOLD_LAG_SECONDS = 0  # off
    Message.objects.filter(pk=acknowledgement.pk).update(created_at=timezone.now())
    assert intake_priority.hold_automatic([acknowledgement.pk], sleep=pytest.fail) == 0.0


def test_a_payload_still_in_the_spool_counts_as_waiting(settings: Any, tmp_path: Any, database_tasks: None) -> None:
    settings.INBOUND_SPOOL = "on"
    spool.append("sms", b"Body=hi", meta={}, content_type="application/x-www-form-urlencoded",
                 provider_message_id="SM1")
    try:
        oldest = intake_lag.oldest_waiting()
        assert oldest is not None and abs((timezone.now() - oldest).total_seconds()) < 5
    finally:  # on SQLite the spool lies beside the test database, which the process's other tests share
        spool._db().execute("DELETE FROM spool")
