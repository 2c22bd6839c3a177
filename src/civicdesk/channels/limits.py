"""Each account's rate limits and quota: what the provider last reported, a pause after a 429, daily quota units.

Every provider adapter reports through these functions, so the Channels page and `civicdesk channels list` show one
shape for every network, and a rate-limited account pauses alone: its jobs wait (rescheduled, never blocking a
worker) while every other account goes on. The writes here are single UPDATE statements (no read-modify-write race
between workers), except spend_quota, which locks the account's row.

`limits` keys (all optional): "limit", "remaining", "reset_at" (ISO time), "window" (a label such as "300 per 5 min"),
"quota_budget", "quota_used", "quota_day" (the provider's quota day, ISO date), "quota_timezone" (the zone of that
day when it is not ours: YouTube counts in Pacific Time), "last_429_at".
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.channels.models import ChannelAccount
from civicdesk.core import prefetch

PAUSED_UNTIL = "paused_until"  # paused_until's core.prefetch kind


def _merge(account_id: int, changes: dict[str, Any], **fields: Any) -> None:
    with transaction.atomic():
        row = ChannelAccount.objects.select_for_update().filter(pk=account_id).values_list("limits", flat=True).first()
        if row is None:
            return
        limits = {**(row or {}), **changes}
        ChannelAccount.objects.filter(pk=account_id).update(limits=limits, **fields)
    prefetch.forget(PAUSED_UNTIL, account_id)


def note_rate_limit(account_id: int, *, limit: int | None = None, remaining: int | None = None,
                    reset_at: datetime | None = None, window: str = "") -> None:
    """The provider's rate-limit headers after a call (e.g. Mastodon's X-RateLimit-*); pauses the account until
    the reset when nothing remains."""
    changes: dict[str, Any] = {}
    if limit is not None:
        changes["limit"] = int(limit)
    if remaining is not None:
        changes["remaining"] = int(remaining)
    if reset_at is not None:
        changes["reset_at"] = reset_at.isoformat()
    if window:
        changes["window"] = window
    fields: dict[str, Any] = {}
    if remaining is not None and remaining <= 0 and reset_at is not None and reset_at > timezone.now():
        fields["paused_until"] = reset_at
    if changes or fields:
        _merge(account_id, changes, **fields)


def pause(account_id: int, seconds: float, *, at: datetime | None = None) -> datetime:
    """A 429 or an exhausted quota: no call on this account for `seconds`. Returns when it may call again."""
    now = at or timezone.now()
    until = now + timedelta(seconds=max(1.0, seconds))
    _merge(account_id, {"last_429_at": now.isoformat()}, paused_until=until)
    return until


def paused_until(account_id: int, at: datetime | None = None) -> datetime | None:
    """When the account may call its provider again, or None when it may now (read once per job sending many
    messages, core.prefetch.kept, and again after this process paused the account)."""
    until = prefetch.kept(PAUSED_UNTIL, account_id, lambda: ChannelAccount.objects.filter(pk=account_id).values_list(
        "paused_until", flat=True).first())
    return until if until is not None and until > (at or timezone.now()) else None


def note_next_poll(account_id: int, at: datetime) -> None:
    """When the account's next poll is due (a polling network's interval, slower when its quota is short)."""
    _merge(account_id, {"next_poll_at": at.isoformat()})


def spend_quota(account_id: int, units: int, *, budget: int, day: date, tz: str = "") -> int:
    """Count `units` of the provider's daily quota (YouTube: 10,000 a day) against `day` (a day in zone `tz`, when
    the provider's day is not ours); returns what is left."""
    with transaction.atomic():
        row = ChannelAccount.objects.select_for_update().filter(pk=account_id).values_list("limits", flat=True).first()
        if row is None:
            return budget
        limits = dict(row or {})
        used = int(limits.get("quota_used", 0)) if limits.get("quota_day") == day.isoformat() else 0
        used += max(0, int(units))
        limits.update(quota_day=day.isoformat(), quota_used=used, quota_budget=budget)
        if tz:
            limits["quota_timezone"] = tz
        ChannelAccount.objects.filter(pk=account_id).update(limits=limits)
        return budget - used


def quota_left(limits: dict[str, Any], *, budget: int, day: date) -> int:
    """What is left of today's quota, from an account's `limits` (a new quota day starts full)."""
    if limits.get("quota_day") != day.isoformat():
        return budget
    return budget - int(limits.get("quota_used", 0))


def quota_today(limits: dict[str, Any], at: datetime | None = None) -> date:
    """Today in the zone the provider counts its quota days in (ours when it named none)."""
    try:
        zone = ZoneInfo(str(limits["quota_timezone"])) if limits.get("quota_timezone") else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return timezone.localdate(at or timezone.now(), zone)


def describe(account: ChannelAccount, at: datetime | None = None, *, with_pause: bool = True) -> str:
    """One line for people: "paused until 14:05", "212 of 300 left (300 per 5 min)", "quota 9,100 of 10,000 left"
    (without the pause when the caller shows it apart: with_pause=False)."""
    now = at or timezone.now()
    parts: list[str] = []
    if with_pause and account.paused_until and account.paused_until > now:
        parts.append(_("paused until %(time)s") % {"time": f"{timezone.localtime(account.paused_until):%H:%M:%S}"})
    limits = account.limits or {}
    if "remaining" in limits and "limit" in limits:
        parts.append(_("%(remaining)s of %(limit)s calls left") % {"remaining": limits["remaining"],
                                                                   "limit": limits["limit"]}
                     + (f" ({limits['window']})" if limits.get("window") else ""))
    if "quota_budget" in limits:
        left = quota_left(limits, budget=int(limits["quota_budget"]), day=quota_today(limits, now))
        parts.append(_("quota: %(left)s of %(budget)s units left today") % {
            "left": f"{left:,}", "budget": f"{int(limits['quota_budget']):,}"})
    return "; ".join(parts)
