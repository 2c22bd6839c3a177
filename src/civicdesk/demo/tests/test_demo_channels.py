"""The demo city shows every channel with no internet: its text line and social accounts take `channels simulate`
events through the same entry points as the networks, replies stay in the outbox, and nothing is polled."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from civicdesk.cases.models import Case, DeliveryStatus
from civicdesk.channels.listening import streaming_accounts
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.tasks import polled_accounts
from civicdesk.conversations.replies import reply
from civicdesk.demo import data
from civicdesk.demo.actions import seed_channel_accounts
from civicdesk.testing.factories import create_agency, create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(settings: Any) -> dict[str, ChannelAccount]:
    settings.SITE_URL = "http://127.0.0.1:8000"
    agencies = {slug: create_agency(slug, name) for slug, name in (("311", "311"), ("public-works", "Public Works"),
                                                                 ("parks", "Parks"))}
    assert seed_channel_accounts(agencies) == len(data.CHANNEL_ACCOUNTS)
    assert seed_channel_accounts(agencies) == 0  # a second seeding adds nothing
    return {account.channel: account for account in ChannelAccount.objects.all()}


@pytest.mark.parametrize("channel", ["sms", "facebook", "instagram", "mastodon", "bluesky", "youtube"])
def test_every_demo_account_takes_a_simulated_event_that_becomes_a_case(
        accounts: dict[str, ChannelAccount], channel: str, django_capture_on_commit_callbacks: Any) -> None:
    account = accounts[channel]
    out = StringIO()
    kind = "comment" if channel == "youtube" else "message"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "simulate", channel, "--account", str(account.pk), "--text",
                     f"Broken streetlight on Oak Ave ({channel})", "--kind", kind, stdout=out)
    case = Case.objects.get(messages__body_text__contains=f"Broken streetlight on Oak Ave ({channel})")
    assert case.agency == account.agency


def test_demo_accounts_are_never_polled_or_streamed_and_replies_stay_in_the_outbox(
        accounts: dict[str, ChannelAccount], django_capture_on_commit_callbacks: Any) -> None:
    assert polled_accounts() == [] and streaming_accounts() == []
    sms = accounts["sms"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "simulate", "sms", "--account", str(sms.pk), "--text", "Pothole", stdout=StringIO())
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        sent = reply(case, author=create_staff("wanda", agencies=[sms.agency]), text="On our list.")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.CAPTURED
    # the case page says why it was not sent: a demo account, not a missing mail server
    client = staff_login(Client(), create_staff("walt", agencies=[sms.agency]))
    page = client.get(reverse("inbox:case", args=[case.number])).content.decode()
    assert "a demo account, which sends nothing" in page and "No mail server is set" not in page
