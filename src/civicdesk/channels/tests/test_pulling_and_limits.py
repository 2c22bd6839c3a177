"""The shared parts every social network uses: polling with a cursor (stored once, cursor moved with the store),
a 429 that pauses one account only, a send postponed without using an attempt, and `channels simulate`."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.cases.models import Case, DeliveryStatus
from civicdesk.channels import limits
from civicdesk.channels.actions import connect_twilio_number
from civicdesk.channels.events import InboundEvent, InboundMessage, SenderIdentity
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.outbound import Capabilities
from civicdesk.channels.protocol import ChannelAdapter, RateLimited
from civicdesk.channels.pulling import PollResult, PulledPayload
from civicdesk.channels.tasks import poll_account, poll_due_accounts
from civicdesk.conversations.replies import reply
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db
POLLED = "civicdesk.channels.tests.test_pulling_and_limits.PolledAdapter"


class PolledAdapter(ChannelAdapter):
    """Polls a list kept on the class: each item is one post; a set `refuse` answers 429."""

    channel = "bluesky"
    capabilities = Capabilities(max_length=300)
    posts: list[str] = []
    refuse = False

    def poll(self, config: Any) -> PollResult:
        if self.refuse:
            raise RateLimited(120)
        seen = int(config.cursor.get("seen", 0))
        new = self.posts[seen:]
        return PollResult(payloads=[PulledPayload(raw=text.encode(), provider_message_id=f"post-{seen + n}")
                                    for n, text in enumerate(new)], cursor={"seen": len(self.posts)})

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        return [InboundMessage(channel="bluesky", provider_message_id=raw.decode(), body_text=raw.decode(),
                               sender=SenderIdentity(kind="bluesky", value="did:plc:resident"),
                               conversation_key="did:plc:resident")]

    def send(self, message: Any, account: Any = None) -> str:
        raise RateLimited(60)


@pytest.fixture
def polled(settings: Any) -> ChannelAccount:
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "bluesky": POLLED}
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "bluesky": POLLED}
    PolledAdapter.posts, PolledAdapter.refuse = [], False
    agency = create_agency("public-works", "Public Works")
    return ChannelAccount.objects.create(channel="bluesky", provider="bluesky", agency=agency,
                                         address="works.example.social")


def test_a_poll_stores_what_is_new_once_and_moves_the_cursor(polled: ChannelAccount) -> None:
    PolledAdapter.posts = ["pothole on Elm", "streetlight out"]
    assert poll_account.call(polled.pk) == 2
    polled.refresh_from_db()
    assert polled.cursor == {"seen": 2}
    assert InboundPayload.objects.filter(channel="bluesky").count() == 2
    assert polled.limits["next_poll_at"]
    assert poll_account.call(polled.pk) == 0  # nothing new; a repeat of the same ids would be stored once too


def test_a_429_pauses_that_account_and_the_next_round_skips_it(polled: ChannelAccount) -> None:
    PolledAdapter.refuse = True
    poll_account.call(polled.pk)
    until = limits.paused_until(polled.pk)
    assert until is not None and until > timezone.now() + timedelta(seconds=100)
    assert poll_due_accounts.call() == 0
    polled.refresh_from_db()
    assert "paused until" in limits.describe(polled)


def test_rate_limit_headers_and_quota_are_described_for_people(polled: ChannelAccount) -> None:
    limits.note_rate_limit(polled.pk, limit=300, remaining=212, window="300 per 5 min")
    today = timezone.localdate()
    assert limits.spend_quota(polled.pk, 100, budget=10_000, day=today) == 9_900
    polled.refresh_from_db()
    assert limits.describe(polled) == ("212 of 300 calls left (300 per 5 min); "
                                       "quota: 9,900 of 10,000 units left today")


def test_a_rate_limited_send_waits_without_using_an_attempt(polled: ChannelAccount,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    PolledAdapter.posts = ["pothole on Elm"]
    with django_capture_on_commit_callbacks(execute=True):
        poll_account.call(polled.pk)
    case = Case.objects.get()
    agent = create_staff("wanda", agencies=[polled.agency])
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(case, author=agent, text="We are on it.")
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.RETRYING
    assert message.attempts == 0
    assert limits.paused_until(polled.pk) is not None


def test_simulate_sends_a_signed_text_through_the_webhook(settings: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    settings.SITE_URL = "https://311.riverbend.example"
    agency = create_agency("public-works", "Public Works")
    account = connect_twilio_number(agency=agency, number="+12155550100", account_sid="AC" + "0" * 32,
                                    auth_token="f" * 32)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "simulate", "sms", "--account", str(account.pk), "--text", "Pothole on Elm",
                     stdout=out)
    assert "stored" in out.getvalue()
    assert Case.objects.filter(messages__body_text__contains="Pothole on Elm").count() == 1
