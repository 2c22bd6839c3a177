"""Broadcasts in one process: who gets a copy, one per subscriber, opt-outs respected, the estimate, the lanes."""

from typing import Any

import pytest
from django.core import mail

from civicdesk.contacts.actions import set_opt_out
from civicdesk.contacts.models import Identity
from civicdesk.conversations.consent import set_consent
from civicdesk.conversations.models import ConsentSource
from civicdesk.crisis import actions, queries, sending
from civicdesk.crisis.models import BroadcastDelivery, BroadcastStatus, DeliveryStatus, SubscriptionStatus
from civicdesk.crisis.tests.helpers import ADAPTER, CountingSmsAdapter, alert_number, subscribers
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.models import Area
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_adapter(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CRISIS_SMS_SEGMENTS_PER_SECOND = 10_000
    settings.CRISIS_EMAILS_PER_SECOND = 10_000
    CountingSmsAdapter.sent = []


@pytest.fixture
def city() -> dict[str, Any]:
    agency = create_agency("311", name="Riverbend 311")
    seed_boundaries()
    wards = {a.name: a for a in Area.objects.filter(type_id="ward")}
    return {"agency": agency, "number": alert_number(agency), "wards": wards}


def declare(city: dict[str, Any], *names: str) -> Any:
    return actions.declare(title_en="Flood", title_es="Inundación", summary_en="Water on River Road.",
                           summary_es="Agua en River Road.", areas=[city["wards"][n] for n in names],
                           agency=city["agency"])


def send_all() -> None:
    for lane in ("sms", "email"):
        sending.run_lane(lane, seconds=60)


def test_a_broadcast_reaches_the_areas_and_the_whole_city_subscribers_once_each_in_their_language(city):
    subscribers(3, channel="sms", area=city["wards"]["Ward 1"])
    subscribers(2, channel="sms", area=None, start=10, language="es")
    subscribers(2, channel="sms", area=city["wards"]["Ward 2"], start=20)  # not affected
    subscribers(2, channel="email", area=city["wards"]["Ward 1"])
    subscribers(1, channel="email", area=city["wards"]["Ward 3"])  # the same address in another affected ward
    incident = declare(city, "Ward 1", "Ward 3")
    broadcast = actions.start_broadcast(incident, text_en="Avoid River Road.", text_es="Evite River Road.",
                                        sms_en="Avoid River Road.", sms_es="Evite River Road.")
    assert BroadcastDelivery.objects.filter(broadcast=broadcast).count() == 3 + 2 + 2
    send_all()
    texts = dict(CountingSmsAdapter.sent)
    assert len(CountingSmsAdapter.sent) == 5 == len(texts)
    assert texts["+12156660010"] == "Evite River Road. Responda PARAR para no recibir más alertas."
    assert texts["+12156660000"] == "Avoid River Road. Reply STOP to end alerts."
    assert sorted(m.to[0] for m in mail.outbox) == ["resident-0@example.com", "resident-1@example.com"]
    assert "/alerts/stop/" in mail.outbox[0].body and "List-Unsubscribe" in mail.outbox[0].extra_headers
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DONE
    assert incident.updates.get().text_es == "Evite River Road."


def test_opted_out_and_unsubscribed_subscribers_get_nothing(city):
    rows = subscribers(4, channel="sms", area=None)
    set_opt_out("phone", rows[0].address, opted_out=True)  # a channel-wide STOP reported by the provider
    identity = set_opt_out("phone", rows[1].address, opted_out=False)
    set_consent(identity, city["number"], opted_out=True, source=ConsentSource.KEYWORD, keyword="STOP")
    incident = declare(city)
    actions.start_broadcast(incident, text_en="A", text_es="A", sms_en="A", sms_es="A")
    rows[2].status = SubscriptionStatus.ENDED  # unsubscribed after the broadcast was queued
    rows[2].save()
    send_all()
    assert [to for to, _text in CountingSmsAdapter.sent] == [rows[3].address]
    statuses = dict(BroadcastDelivery.objects.values_list("subscription__address", "status"))
    assert {statuses[row.address] for row in rows[:3]} == {DeliveryStatus.OPTED_OUT}
    assert Identity.objects.filter(value=rows[3].address).count() == 0  # no contact made for a plain subscriber


def test_the_estimate_counts_segments_at_one_a_second_for_a_long_code_number(city, settings):
    settings.CRISIS_SMS_SEGMENTS_PER_SECOND = 1
    subscribers(30, channel="sms", area=None)
    subscribers(10, channel="email", area=None)
    found = queries.estimate(declare(city), "x" * 200, "y")  # 200 + the STOP line: two segments each
    assert (found.sms, found.segments, found.emails) == (30, 60, 10)
    assert found.sms_seconds == 60 and found.seconds == 60


def test_a_lane_taken_over_from_a_dead_worker_sends_what_it_left_once(city):
    subscribers(5, channel="sms", area=None)
    actions.start_broadcast(declare(city), text_en="A", text_es="A", sms_en="A", sms_es="A")
    assert sending.acquire("sms", "dead-worker")
    sending.claim("sms", city["number"].pk, 2)  # the dead worker was sending two when it died
    assert not sending.acquire("sms", "another")  # its lease still runs
    from civicdesk.crisis.models import SendLane
    SendLane.objects.update(lease_until=None)  # ... until it runs out
    assert sending.stalled_lanes() == ["sms"]
    send_all()
    assert sorted(to for to, _ in CountingSmsAdapter.sent) == sorted(
        BroadcastDelivery.objects.values_list("subscription__address", flat=True))
    assert set(BroadcastDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_an_sms_subscriber_with_no_number_to_send_from_is_counted_as_failed(settings):
    create_agency("311", name="Riverbend 311")
    subscribers(2, channel="sms", area=None)
    incident = actions.declare(title_en="A", title_es="A", summary_en="A", summary_es="A", whole_city=True)
    broadcast = actions.start_broadcast(incident, text_en="A", text_es="A", sms_en="A", sms_es="A")
    assert queries.progress(broadcast).channels["sms"] == {"failed": 2, "total": 2}


def test_an_email_address_that_opted_out_gets_no_alert(city):
    rows = subscribers(2, channel="email", area=None)
    set_opt_out("email", rows[0].address, opted_out=True)
    actions.start_broadcast(declare(city), text_en="A", text_es="A", sms_en="A", sms_es="A")
    send_all()
    assert [m.to[0] for m in mail.outbox] == [rows[1].address]
