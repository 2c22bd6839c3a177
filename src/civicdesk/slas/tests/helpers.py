"""Test helpers for SLA clocks: a movable clock for django.utils.timezone.now, and a policy factory."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from civicdesk.slas.models import Hours, SlaPolicy

NY = ZoneInfo("America/New_York")
HOUR = 3600
BUSINESS_DAY = 9 * HOUR  # the default calendar: 08:00 to 17:00


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


class Clock:
    """timezone.now() answers `self.now` while the test runs (every module calls it through the module)."""

    def __init__(self, monkeypatch: Any, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def make_policy(agency: Any, **values: Any) -> SlaPolicy:
    now = timezone.now()
    defaults: dict[str, Any] = {"name": "Standard", "first_response_seconds": BUSINESS_DAY,
                                "next_response_seconds": BUSINESS_DAY, "resolution_seconds": 5 * BUSINESS_DAY,
                                "hours": Hours.BUSINESS, "created_at": now, "updated_at": now}
    return SlaPolicy.objects.create(agency=agency, **{**defaults, **values})
