"""Read-only views of channel accounts: every account with its health, in two queries whatever their number."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Sum
from django.utils import timezone

from civicdesk.channels.limits import describe
from civicdesk.channels.models import ChannelAccount, Provider, WebhookRejection
from civicdesk.channels.numbers import InvalidNumber, e164
from civicdesk.channels.providers.twilio.endpoints import webhook_urls
from civicdesk.channels.registry import adapter_for_account
from civicdesk.channels.webhooks import WebhookAdapter, webhook_url


@dataclass
class AccountHealth:
    """An account and what tells whether it works: when it last received, its last error, refused requests."""

    account: ChannelAccount
    rejected: int = 0  # refused webhook requests, every reason
    rejected_signatures: int = 0  # of which a missing or wrong signature
    last_rejected_at: datetime | None = None
    urls: dict[str, str] = field(default_factory=dict)  # what to paste into the provider's console, by label

    @property
    def last_inbound_at(self) -> datetime | None:
        return self.account.last_inbound_at

    @property
    def last_error_at(self) -> datetime | None:
        return self.account.last_error_at

    @property
    def last_error(self) -> str:
        return self.account.last_error

    @property
    def paused_until(self) -> datetime | None:
        """Until when the provider's rate limit (a 429, an exhausted quota) holds the account; None: it works."""
        until = self.account.paused_until
        return until if until is not None and until > timezone.now() else None

    @property
    def limits(self) -> str:
        """The provider's last rate-limit report and today's quota, in words ("" before any report)."""
        return describe(self.account, with_pause=False)


SIGNATURE_REASONS = ("missing_signature", "bad_signature")


def console_urls(account: ChannelAccount) -> dict[str, str]:
    """The addresses to give the provider: Twilio's three (SMS, status callback, voice), the one webhook of a
    provider that pushes, none for one that is polled or has its own entry (email)."""
    if account.provider == Provider.TWILIO:
        return webhook_urls(account)
    try:
        pushes = isinstance(adapter_for_account(account), WebhookAdapter)
    except LookupError:
        pushes = False
    return {"webhook": webhook_url(account)} if pushes else {}


def accounts(agency_ids: Iterable[int] | None = None, provider: str = "") -> list[ChannelAccount]:
    """Every account (of these agencies, of this provider), by agency, provider and address."""
    rows = ChannelAccount.objects.select_related("agency").order_by("agency__name", "provider", "address", "pk")
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    if provider:
        rows = rows.filter(provider=provider)
    return list(rows)


def health(rows: list[ChannelAccount]) -> list[AccountHealth]:
    """The accounts with their refused requests (one grouped query) and webhook addresses."""
    counts: dict[int, AccountHealth] = {a.pk: AccountHealth(a, urls=console_urls(a)) for a in rows}
    grouped = (WebhookRejection.objects.filter(account_id__in=list(counts)).values("account_id", "reason")
               .annotate(total=Sum("count"), last=Max("last_at")))
    for row in grouped:
        entry = counts[row["account_id"]]
        entry.rejected += row["total"] or 0
        if row["reason"] in SIGNATURE_REASONS:
            entry.rejected_signatures += row["total"] or 0
        if row["last"] and (entry.last_rejected_at is None or row["last"] > entry.last_rejected_at):
            entry.last_rejected_at = row["last"]
    return [counts[a.pk] for a in rows]


def find_account(key: str) -> ChannelAccount | None:
    """An account by its id or its address (a phone number in any usual writing, an email address)."""
    key = (key or "").strip()
    if key.isdigit() and len(key) < 10:  # an id; ten digits and more is a number written without its "+"
        return ChannelAccount.objects.select_related("agency").filter(pk=int(key)).first()
    found = ChannelAccount.objects.select_related("agency").filter(address__iexact=key)
    if not found.exists() and any(ch.isdigit() for ch in key):
        try:
            found = ChannelAccount.objects.select_related("agency").filter(address=e164(key))
        except InvalidNumber:
            return None
    matches = list(found[:2])
    return matches[0] if len(matches) == 1 else None


def agency_slug_of_account(account_id: int | None) -> str:
    """The slug of the agency an account belongs to ("" for none): where a message to that number or page goes."""
    if account_id is None:
        return ""
    return ChannelAccount.objects.filter(pk=account_id).values_list("agency__slug", flat=True).first() or ""
