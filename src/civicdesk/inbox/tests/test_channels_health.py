"""Issue 12 item 9: the Channels page lists the accounts of every provider with their health and limits: last
event, last error, refused signatures, the provider's rate-limit state and quota, and a pause after a 429."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicdesk.channels import limits
from civicdesk.channels.actions import note_error
from civicdesk.channels.models import Channel, ChannelAccount, Provider, RejectionReason, WebhookRejection
from civicdesk.testing.social import social_account

pytestmark = pytest.mark.django_db
PAGE = "/staff/channels/"


def section(html: str, account: ChannelAccount) -> str:
    found = re.search(rf'<section[^>]+id="account-{account.pk}".*?</section>', html, re.S)
    assert found, f"no section for {account}"
    return re.sub(r"\s+", " ", found.group(0))


@pytest.fixture
def accounts(world):
    made = {channel: social_account(world.works, channel, f"@works-{channel}") for channel in
            (Channel.FACEBOOK, Channel.X, Channel.MASTODON, Channel.BLUESKY, Channel.YOUTUBE)}
    made[Channel.SMS] = ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO,
                                                      agency=world.works, address="+12155550100")
    return made


def test_every_providers_accounts_are_listed(admin_client_, accounts):
    html = admin_client_.get(PAGE).content.decode()
    for account in accounts.values():
        assert section(html, account)
    assert "Mastodon, Mastodon" in section(html, accounts[Channel.MASTODON])
    assert "Meta (Facebook and Instagram), Facebook" in section(html, accounts[Channel.FACEBOOK])


def test_an_account_shows_its_last_event_error_refusals_limits_quota_and_pause(admin_client_, accounts):
    mastodon, youtube = accounts[Channel.MASTODON], accounts[Channel.YOUTUBE]
    now = timezone.now()
    ChannelAccount.objects.filter(pk=mastodon.pk).update(last_inbound_at=now - timedelta(minutes=5))
    note_error(mastodon.pk, "The server answered 503")
    WebhookRejection.objects.create(account=mastodon, reason=RejectionReason.BAD_SIGNATURE, count=3, first_at=now,
                                    last_at=now)
    limits.note_rate_limit(mastodon.pk, limit=300, remaining=212, reset_at=now + timedelta(minutes=4),
                           window="300 per 5 min")
    limits.pause(mastodon.pk, 120)
    limits.spend_quota(youtube.pk, 900, budget=10_000, day=timezone.localdate())
    html = admin_client_.get(PAGE).content.decode()
    shown = section(html, mastodon)
    assert "Last event received" in shown and "5 minutes ago" in shown
    assert "The server answered 503" in shown
    assert "Refused requests (bad or missing signature)</dt><dd>3" in shown
    assert "212 of 300 calls left (300 per 5 min)" in shown
    assert "Paused</span> until" in shown and "other accounts go on" in shown
    assert "paused until" not in shown  # said once, in its own line
    quota = section(html, youtube)
    assert "quota: 9,100 of 10,000 units left today" in quota and "Not paused" in quota
    assert "Nothing reported by the provider yet" in section(html, accounts[Channel.BLUESKY])


def test_a_pause_that_is_over_is_not_shown(admin_client_, accounts):
    x = accounts[Channel.X]
    limits.pause(x.pk, 1, at=timezone.now() - timedelta(minutes=10))
    assert "Not paused" in section(admin_client_.get(PAGE).content.decode(), x)


def test_a_quota_from_an_earlier_day_starts_full(admin_client_, accounts):
    youtube = accounts[Channel.YOUTUBE]
    limits.spend_quota(youtube.pk, 9_000, budget=10_000, day=date(2020, 1, 1))
    assert "quota: 10,000 of 10,000 units left today" in section(admin_client_.get(PAGE).content.decode(), youtube)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_accounts(admin_client_, world, accounts):
    admin_client_.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(PAGE)
    for n in range(6):
        social_account(world.parks, Channel.MASTODON, f"@parks{n}")
    with CaptureQueriesContext(connection) as many:
        admin_client_.get(PAGE)
    assert len(many) == len(few)
