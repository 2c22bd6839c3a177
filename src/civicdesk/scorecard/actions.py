"""Writing the scorecard's precomputed figures: the current month and the last twelve months every run, each
finished month once (and again after SCORECARD_RECHECK_HOURS, in case a calendar or a late fix changed it)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicdesk.metrics.models import Hours
from civicdesk.metrics.queries import agency_figures
from civicdesk.scorecard.figures import month_end, months_back, public_figures
from civicdesk.scorecard.models import Grouping, PublishedFigures


def _compute(start: date, end: date, grouping: str) -> dict[str, dict[str, object]]:
    found = agency_figures(None, start=start, end=end, group_by=grouping, hours=Hours.CALENDAR)
    return {group.key: public_figures(group) for group in found if group.key}


def _store(period: str, grouping: str, groups: dict[str, dict[str, object]]) -> None:
    with transaction.atomic():
        PublishedFigures.objects.update_or_create(period=period, grouping=grouping, defaults={
            "computed_at": timezone.now(), "groups": groups})


def refresh(today: date | None = None) -> int:
    """Bring the published figures up to date; returns how many rows were computed."""
    today = today or timezone.localdate()
    months = months_back(today)
    stale_before = timezone.now() - timedelta(hours=settings.SCORECARD_RECHECK_HOURS)
    fresh = {(p, g) for p, g in PublishedFigures.objects.filter(computed_at__gte=stale_before).values_list(
        "period", "grouping")}
    computed = 0
    for grouping in Grouping.values:
        for first in months:
            period = first.strftime("%Y-%m")
            if first == months[-1] or (period, grouping) not in fresh:
                _store(period, grouping, _compute(first, min(month_end(first), today), grouping))
                computed += 1
        _store(PublishedFigures.LAST_YEAR, grouping, _compute(months[0], today, grouping))
        computed += 1
    with transaction.atomic():
        PublishedFigures.objects.exclude(period=PublishedFigures.LAST_YEAR).exclude(
            period__in=[m.strftime("%Y-%m") for m in months]).delete()
    return computed
