"""Alert subscriptions, the only code that writes them: subscribe, confirm, unsubscribe, and STOP's end of them.

A web subscription waits for its confirmation (the link in an email, or YES by text); texting JOIN confirms at once,
since the text itself shows the number is the sender's. Each change is one transaction; the confirmation message is
queued on commit.
"""

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.languages import supported_language
from civicdesk.contacts.models import IdentityKind
from civicdesk.core.jobs import enqueue_on_commit
from civicdesk.crisis.models import AlertChannel, Subscription, SubscriptionSource, SubscriptionStatus

SEND_CONFIRMATION = "civicdesk.crisis.tasks.send_confirmation"
KIND_OF = {AlertChannel.EMAIL: IdentityKind.EMAIL, AlertChannel.SMS: IdentityKind.PHONE}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def normalized(channel: str, raw: str) -> str:
    """The address as stored (lower-case email, E.164 phone); InvalidIdentity when it is not one."""
    return normalize_identity(KIND_OF[AlertChannel(channel)], raw)


@transaction.atomic
def subscribe(channel: str, raw_address: str, *, area: Any = None, language: str = "en",
              source: str = SubscriptionSource.WEB, account_id: int | None = None,
              confirmed: bool = False) -> tuple[Subscription, bool]:
    """Subscribe the address to alerts for `area` (None: the whole city). Returns the subscription and whether a
    confirmation goes out (False when it was already active). Raises InvalidIdentity for a bad address."""
    address = normalized(channel, raw_address)
    now = timezone.now()
    found = (Subscription.objects.select_for_update()
             .filter(channel=channel, address=address, area=area).first())
    if found is not None and found.status == SubscriptionStatus.ACTIVE:
        if found.language != supported_language(language):
            Subscription.objects.filter(pk=found.pk).update(language=supported_language(language))
        return found, False
    if found is None:
        found = Subscription(channel=channel, address=address, area=area, created_at=now)
    found.language = supported_language(language)
    found.source = source
    found.token = new_token()  # a new request: older links to confirm or stop this one no longer work
    found.ended_at = None
    if account_id is not None:
        found.account_id = account_id
    if confirmed:
        found.status, found.confirmed_at = SubscriptionStatus.ACTIVE, now
    else:
        found.status, found.confirmed_at = SubscriptionStatus.PENDING, None
    found.save()
    if not confirmed:
        enqueue_on_commit(SEND_CONFIRMATION, found.pk)
    return found, not confirmed


@transaction.atomic
def confirm(subscription: Subscription) -> bool:
    """Pending -> active; False when it was not pending (already confirmed, or ended)."""
    changed = Subscription.objects.filter(pk=subscription.pk, status=SubscriptionStatus.PENDING).update(
        status=SubscriptionStatus.ACTIVE, confirmed_at=timezone.now())
    subscription.refresh_from_db()
    return bool(changed)


@transaction.atomic
def unsubscribe(subscription: Subscription) -> bool:
    """End the subscription at once (one step, no questions); False when it had already ended."""
    changed = Subscription.objects.filter(pk=subscription.pk).exclude(status=SubscriptionStatus.ENDED).update(
        status=SubscriptionStatus.ENDED, ended_at=timezone.now())
    subscription.refresh_from_db()
    return bool(changed)


def end_all(channel: str, address: str) -> int:
    """End every subscription of the address (STOP by text, or the email's unsubscribe link for all areas)."""
    return Subscription.objects.filter(channel=channel, address=address).exclude(
        status=SubscriptionStatus.ENDED).update(status=SubscriptionStatus.ENDED, ended_at=timezone.now())


def pending_sms(phone: str) -> list[Subscription]:
    return list(Subscription.objects.filter(channel=AlertChannel.SMS, address=phone,
                                            status=SubscriptionStatus.PENDING))


def valid_address(channel: str, raw: str) -> bool:
    try:
        normalized(channel, raw)
    except InvalidIdentity:
        return False
    return True
