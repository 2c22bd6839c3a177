"""Quota accounting: units per call on the Pacific day, polling that slows before the budget runs out (keeping a
reserve for replies), and quotaExceeded pausing only the account whose quota is spent."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from civicdesk.cases.models import Case, DeliveryStatus
from civicdesk.channels import limits, tasks
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider
from civicdesk.channels.providers.youtube import polling, quota
from civicdesk.channels.providers.youtube.tests.server import YouTubeServer
from civicdesk.channels.providers.youtube.tests.test_polling import poll_and_process
from civicdesk.channels.pulling import store_pulled
from civicdesk.channels.registry import AccountConfig
from civicdesk.conversations import replies
from civicdesk.conversations.pipeline import process
from civicdesk.conversations.tasks import deliver_message
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db
OTHER_CHANNEL = "UCriverbendParks00000002"


def test_the_quota_day_is_googles_pacific_day() -> None:
    late_evening_pacific = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # 23:30 on the 6th in Los Angeles
    assert quota.quota_day(late_evening_pacific).isoformat() == "2026-12-06"
    assert quota.next_reset(late_evening_pacific) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert quota.seconds_to_reset(late_evening_pacific) == 1800


def test_the_polling_interval_grows_as_the_quota_left_shrinks(settings: Any) -> None:
    settings.SOCIAL_POLL_SECONDS, settings.YOUTUBE_REPLY_RESERVE = 30, 1000
    noon_pacific = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    intervals = [quota.poll_seconds(left, at=noon_pacific) for left in (10000, 4000, 2000, 1200, 1001)]
    assert intervals[0] == 30  # plenty: the usual interval
    assert intervals == sorted(intervals) and intervals[1] < intervals[2] < intervals[3]
    assert intervals[-1] == quota.seconds_to_reset(noon_pacific)  # only the reserve left: wait for midnight
    assert quota.poll_seconds(50, at=noon_pacific) == quota.seconds_to_reset(noon_pacific)


def test_each_call_is_counted_and_shown_on_the_account(youtube_server: YouTubeServer,
                                                       account: ChannelAccount, capsys: Any) -> None:
    youtube_server.add_comment("Thank you for fixing the lights!")
    poll_and_process(account)
    account.refresh_from_db()
    used = account.limits["quota_used"]
    assert used == youtube_server.quota_used() >= 1
    assert account.limits["quota_day"] == quota.quota_day().isoformat()
    assert limits.describe(account).endswith(f"quota: {10000 - used:,} of 10,000 units left today")
    call_command("channels", "list")
    assert f"{10000 - used:,} of 10,000 units left today" in capsys.readouterr().out


def test_polling_slows_and_then_leaves_the_reserve_to_replies(youtube_server: YouTubeServer,
                                                              account: ChannelAccount, settings: Any) -> None:
    settings.SOCIAL_POLL_SECONDS, settings.YOUTUBE_REPLY_RESERVE = 30, 1000
    today = quota.quota_day()
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=quota.PACIFIC)  # 12 hours before the reset
    youtube_server.add_comment("Leaves block the storm drain on 5th.")
    assert polling.poll(AccountConfig.of(account), now=noon).next_poll_seconds == 30  # plenty left
    limits.spend_quota(account.pk, 7000, budget=10000, day=today, tz=quota.QUOTA_TIMEZONE)
    slowed = polling.poll(AccountConfig.of(account), now=noon + timedelta(minutes=1))
    assert len(slowed.payloads) == 1 and 40 < slowed.next_poll_seconds < 50  # 2,000 units spread over 12 h
    limits.spend_quota(account.pk, 2000, budget=10000, day=today, tz=quota.QUOTA_TIMEZONE)
    calls = len(youtube_server.state.calls)
    result = polling.poll(AccountConfig.of(account), now=noon + timedelta(minutes=2))
    assert result.payloads == [] and len(youtube_server.state.calls) == calls  # no call: the reserve is kept
    assert result.next_poll_seconds == quota.seconds_to_reset(noon + timedelta(minutes=2))
    store_pulled(account.pk, account.channel, slowed.payloads)
    for payload in InboundPayload.objects.filter(status="received"):
        process(payload)
    case = Case.objects.get()
    reply = replies.reply(case, author=create_staff("agent", agencies=[case.agency]), text="Cleared this morning.")
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT  # replies still go, from the reserve


def test_a_poll_queued_twice_calls_the_api_once(youtube_server: YouTubeServer, account: ChannelAccount,
                                                settings: Any) -> None:
    settings.SOCIAL_POLL_SECONDS = 30
    tasks.poll_account.call(account.pk)
    tasks.poll_account.call(account.pk)  # a backlog of the periodic job queued it again
    assert len(youtube_server.calls_to("/commentThreads")) == 1


def test_quota_exceeded_pauses_only_this_account_until_pacific_midnight(youtube_server: YouTubeServer,
                                                                        account: ChannelAccount) -> None:
    youtube_server.add_project("2-other.apps.googleusercontent.com", "GOCSPX-other", "1//other-token",
                               "AIzaSy-other-project-key-000000000000", daily_quota=10000)
    other = ChannelAccount(channel=Channel.YOUTUBE, provider=Provider.YOUTUBE, address=OTHER_CHANNEL,
                           agency=create_agency("streets", "Streets"))
    other.set_credentials({"client_id": "2-other.apps.googleusercontent.com", "client_secret": "GOCSPX-other",
                           "refresh_token": "1//other-token"})
    other.save()
    youtube_server.state.projects["1234567890-local.apps.googleusercontent.com"]["quota"] = 0  # spent elsewhere
    youtube_server.add_comment("Noise from the bridge works at night.")
    youtube_server.add_comment("Bus shelter glass broken.", channel_id=OTHER_CHANNEL)
    assert tasks.poll_account.call(account.pk) == 0
    account.refresh_from_db()
    assert abs(account.paused_until - quota.next_reset()) < timedelta(seconds=2)  # midnight Pacific Time
    assert quota.units_left(account.pk) == 0 and "paused until" in limits.describe(account)
    assert tasks.poll_due_accounts.call() == 1  # the other account is polled (here at once); the paused one is not
    for payload in InboundPayload.objects.filter(status="received"):
        process(payload)
    assert Case.objects.get().agency.slug == "streets"
