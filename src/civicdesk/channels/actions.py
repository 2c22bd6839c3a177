"""Writes of the channel layer outside the payload store: counting refused webhook requests."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civicdesk.channels.models import ChannelAccount, WebhookRejection

log = logging.getLogger(__name__)


def count_rejection(account: ChannelAccount, reason: str) -> None:
    """One more refused request for (account, reason); only the account id and reason reach the log."""
    now = timezone.now()
    log.warning("Webhook request for channel account %s refused: %s", account.pk, reason)
    rows = WebhookRejection.objects.filter(account=account, reason=reason)
    if rows.update(count=F("count") + 1, last_at=now):
        return
    try:
        with transaction.atomic():
            WebhookRejection.objects.create(account=account, reason=reason, count=1, first_at=now, last_at=now)
    except IntegrityError:  # another request made the row a moment ago
        rows.update(count=F("count") + 1, last_at=now)
