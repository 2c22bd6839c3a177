"""What the public is shown of a group's metrics, and the twelve months behind the scorecard.

Every figure comes from metrics.queries.agency_figures (the documented definitions, docs/metrics.md) in calendar
time: residents count days, not office hours. A median over fewer than SCORECARD_MIN_COUNT cases is not shown (a
single case's timing is not a statistic), and nothing below the group level is ever stored here.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings

from civicdesk.metrics.queries import GroupFigures


def months_back(today: date, count: int = 12) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    first = today.replace(day=1)
    months = [first]
    while len(months) < count:
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _median(summary: Any) -> float | None:
    if summary.n < settings.SCORECARD_MIN_COUNT or summary.median is None:
        return None
    return round(summary.median)


def public_figures(group: GroupFigures) -> dict[str, Any]:
    """The published part of one group's figures (seconds, shares 0..100, or None where there is too little)."""
    compliance = group.sla.compliance
    targets = group.sla.met + group.sla.breached
    answered = group.csat.answered
    return {
        "name": group.name,
        "created": group.created,
        "resolved": group.resolved,
        "first_response_median": _median(group.first_response),
        "first_response_n": group.first_response.n,
        "resolution_median": _median(group.resolution),
        "resolution_n": group.resolution.n,
        "within_target": round(compliance, 1) if compliance is not None and targets >= settings.SCORECARD_MIN_COUNT
        else None,
        "targets": targets,
        "satisfaction": round(group.csat.score, 1) if group.csat.score is not None
        and answered >= settings.SCORECARD_MIN_COUNT else None,
        "answered": answered,
    }
