"""Background jobs of the channel layer: polling the accounts of networks that do not push to us."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django_tasks import task

from civicdesk.channels import limits
from civicdesk.channels.actions import note_error
from civicdesk.channels.credentials import CredentialsError
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.protocol import RateLimited
from civicdesk.channels.pulling import PollingAdapter, store_pulled
from civicdesk.channels.registry import AccountConfig, adapter_for_account
from civicdesk.core.jobs import POLL_ACCOUNT, enqueue

log = logging.getLogger(__name__)
POLL_QUEUE = "social"


def _next_poll_at(account: ChannelAccount) -> datetime | None:
    value = (account.limits or {}).get("next_poll_at")
    return parse_datetime(value) if isinstance(value, str) else None


def polled_accounts() -> list[ChannelAccount]:
    """Active accounts whose provider's adapter polls."""
    found = []
    for account in ChannelAccount.objects.filter(is_active=True).order_by("pk"):
        try:
            adapter = adapter_for_account(account)
        except LookupError:
            continue
        if isinstance(adapter, PollingAdapter):
            found.append(account)
    return found


@task(queue_name="default")
def poll_due_accounts() -> int:
    """Enqueue a poll of every polled account that is due and not paused (settings.PERIODIC_TASKS)."""
    now = timezone.now()
    due = [account.pk for account in polled_accounts()
           if (_next_poll_at(account) or now) <= now and not (account.paused_until and account.paused_until > now)]
    for account_id in due:
        enqueue(POLL_ACCOUNT, account_id, queue_name=POLL_QUEUE)
    return len(due)


@task(queue_name=POLL_QUEUE)
def poll_account(account_id: int) -> int:
    """One poll of one account: store what is new and move its cursor (one transaction), then set the next poll."""
    account = ChannelAccount.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        return 0
    now = timezone.now()
    if account.paused_until and account.paused_until > now:
        return 0
    interval = float(settings.SOCIAL_POLL_SECONDS)
    try:
        adapter = adapter_for_account(account)
        if not isinstance(adapter, PollingAdapter):
            return 0
        result = adapter.poll(AccountConfig.of(account))
    except RateLimited as exc:
        limits.pause(account_id, exc.retry_after)
        return 0
    except CredentialsError:
        note_error(account_id, gettext("The account's credentials cannot be read (check CHANNEL_CREDENTIALS_KEY or "
                                       "the environment variables it names)."))
        return 0
    except Exception as exc:  # the network answered with an error or nothing: noted, tried at the next interval
        log.warning("Polling channel account %s failed: %s", account_id, type(exc).__name__)
        note_error(account_id, gettext("Polling failed: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"})
        _schedule(account_id, now + timedelta(seconds=interval))
        return 0
    created = store_pulled(account_id, account.channel, result.payloads, cursor=result.cursor)
    _schedule(account_id, now + timedelta(seconds=max(1.0, result.next_poll_seconds or interval)))
    return created


def _schedule(account_id: int, at: datetime) -> None:
    limits.note_next_poll(account_id, at)
