"""YouTube's daily quota on one account: units per call, the Pacific quota day, and how often polling can afford.

Google gives a project 10,000 units a day (YOUTUBE_DAILY_QUOTA) and resets them at midnight Pacific Time. Every call
costs its method's units, failed ones included (at least one). Polling spreads what is left over the rest of the
quota day and keeps YOUTUBE_REPLY_RESERVE units for replies (50 each), so a busy day slows polling, never replies.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from civicdesk.channels import limits
from civicdesk.channels.models import ChannelAccount

PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_TIMEZONE = "America/Los_Angeles"  # kept in the account's limits, so describe() counts Google's day
# developers.google.com/youtube/v3/determine_quota_cost
COSTS = {"commentThreads.list": 1, "comments.list": 1, "comments.insert": 50}
INVALID_REQUEST_COST = 1  # "All API requests, including invalid requests, incur a quota cost of at least one point"
UNITS_PER_POLL = 2  # a poll's list call, with a reply page or a deletion check now and then


def budget() -> int:
    return int(settings.YOUTUBE_DAILY_QUOTA)


def quota_day(at: datetime | None = None) -> date:
    """Google's quota day: the date in Pacific Time."""
    return (at or timezone.now()).astimezone(PACIFIC).date()


def next_reset(at: datetime | None = None) -> datetime:
    """The next midnight Pacific Time, when Google gives the day's units back."""
    day = quota_day(at) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=PACIFIC)


def seconds_to_reset(at: datetime | None = None) -> float:
    now = at or timezone.now()
    return max(1.0, (next_reset(now) - now).total_seconds())


def spend(account_id: int, method: str, *, ok: bool = True, at: datetime | None = None) -> int:
    """Count one call of `method` against today's budget; returns the units left."""
    units = COSTS.get(method, 1) if ok else INVALID_REQUEST_COST
    return limits.spend_quota(account_id, units, budget=budget(), day=quota_day(at), tz=QUOTA_TIMEZONE)


def exhaust(account_id: int, at: datetime | None = None) -> None:
    """Google said quotaExceeded: nothing is left today, whatever we counted."""
    left = units_left(account_id, at)
    if left > 0:
        limits.spend_quota(account_id, left, budget=budget(), day=quota_day(at), tz=QUOTA_TIMEZONE)


def units_left(account_id: int, at: datetime | None = None) -> int:
    found = ChannelAccount.objects.filter(pk=account_id).values_list("limits", flat=True).first()
    return limits.quota_left(found or {}, budget=budget(), day=quota_day(at))


def poll_seconds(left: int, *, at: datetime | None = None, base: float | None = None) -> float:
    """Seconds to the next poll: the usual interval while the quota is plentiful, then longer as the units left
    (beyond the replies' reserve) shrink, spread over the rest of the quota day; none left: the next Pacific
    midnight."""
    base = float(settings.SOCIAL_POLL_SECONDS if base is None else base)
    spare = left - int(settings.YOUTUBE_REPLY_RESERVE)
    to_reset = seconds_to_reset(at)
    if spare < UNITS_PER_POLL:
        return to_reset
    return min(to_reset, max(base, to_reset * UNITS_PER_POLL / spare))


def may_poll(left: int) -> bool:
    """Whether a poll leaves the replies' reserve untouched."""
    return left - int(settings.YOUTUBE_REPLY_RESERVE) >= UNITS_PER_POLL


def may_reply(left: int) -> bool:
    return left >= COSTS["comments.insert"]
