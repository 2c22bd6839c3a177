"""Trends for managers: the metrics of each week or month of the last twelve, per agency, service, channel, team or area
(metrics.queries.agency_figures, the precomputed rollups), and where targets were missed, per area.

Every count links to the inbox: created -> the group's cases created in that period (exact: the same cases, bar a
day's edge when a case's calendar is in another time zone than the site); missed targets -> the group's cases
created in that period that missed a target (the figure counts targets missed in the period, so the two differ for
a case created in one period and late in the next; the page says so)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import TextChoices
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.filters import SlaState
from civicdesk.dashboards.links import group_param, inbox_url
from civicdesk.metrics.models import Dimension
from civicdesk.metrics.queries import GroupFigures, agency_figures_spans

PERIODS = 12
CHART_SERIES = 8  # the busiest groups are drawn; the tables list every group


class Period(TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


GROUP_CHOICES = [(Dimension.AGENCY, Dimension.AGENCY.label), (Dimension.SERVICE, Dimension.SERVICE.label),
                 (Dimension.CHANNEL, Dimension.CHANNEL.label), (Dimension.TEAM, Dimension.TEAM.label),
                 (Dimension.AREA, Dimension.AREA.label)]


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    label: str


def spans(period: str, today: date, count: int = PERIODS) -> list[Span]:
    """The last `count` weeks (Monday to Sunday) or calendar months, oldest first, the current one ending today."""
    found = []
    if period == Period.WEEK:
        monday = today - timedelta(days=today.weekday())
        for back in range(count - 1, -1, -1):
            start = monday - timedelta(weeks=back)
            found.append(Span(start, min(start + timedelta(days=6), today),
                              date_format(start, "M j")))
        return found
    year, month = today.year, today.month
    for back in range(count - 1, -1, -1):
        y, m = divmod((year * 12 + month - 1) - back, 12)
        start = date(y, m + 1, 1)
        nxt = date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1)
        found.append(Span(start, min(nxt - timedelta(days=1), today), date_format(start, "M Y")))
    return found


@dataclass
class GroupRow:
    """One group's figures in each period, with the links of its counts."""

    key: str
    name: str
    figures: list[GroupFigures | None] = field(default_factory=list)
    created_urls: list[str] = field(default_factory=list)
    missed_urls: list[str] = field(default_factory=list)
    url: str = ""

    @property
    def created_total(self) -> int:
        return sum(f.created for f in self.figures if f)


@dataclass
class Trends:
    spans: list[Span]
    rows: list[GroupRow]
    group_by: str
    hours: str


def trends(agency_ids: list[int] | None, *, period: str, group_by: str, hours: str, today: date) -> Trends:
    """Each period's figures per group (agency_figures_spans: one read of the rollups for the twelve periods)."""
    periods = spans(period, today)
    per_span = [{g.key: g for g in found} for found in agency_figures_spans(
        agency_ids, spans=[(s.start, s.end) for s in periods], group_by=group_by, hours=hours, ages=False)]
    keys: dict[str, str] = {}
    for figures in per_span:
        keys.update({key: g.name for key, g in figures.items()})
    rows = []
    for key, name in keys.items():
        group = group_param(group_by, key)
        row = GroupRow(key, name, url=inbox_url(**group) if group else "")
        for s, figures in zip(periods, per_span, strict=True):
            row.figures.append(figures.get(key))
            if group:
                row.created_urls.append(inbox_url(**group, created_from=s.start, created_to=s.end))
                row.missed_urls.append(inbox_url(**group, sla=SlaState.BREACHED, created_from=s.start,
                                                 created_to=s.end))
            else:
                row.created_urls.append("")
                row.missed_urls.append("")
        rows.append(row)
    rows.sort(key=lambda r: (-r.created_total, r.name.casefold()))
    return Trends(periods, rows, group_by, hours)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def chart_data(result: Trends) -> dict[str, Any]:
    """The charts' series (the busiest groups): created, median hours to first response, share of targets met."""
    drawn = result.rows[:CHART_SERIES]

    def series(value: Any) -> list[dict[str, Any]]:
        return [{"label": r.name, "data": [value(f) if f else None for f in r.figures]} for r in drawn]

    return {
        "labels": [s.label for s in result.spans],
        "created": series(lambda f: f.created),
        "first_response": series(lambda f: _hours(f.first_response.median)),
        "compliance": series(lambda f: None if f.sla.compliance is None else round(f.sla.compliance, 1)),
    }


def summary(result: Trends) -> dict[str, Any]:
    """The facts of the one-sentence text summaries: totals of the last and the previous period."""
    def at(index: int) -> list[GroupFigures]:
        return [f for r in result.rows if (f := r.figures[index]) is not None]

    def total(index: int) -> int:
        return sum(f.created for f in at(index))

    def compliance(index: int) -> float | None:
        met = sum(f.sla.met for f in at(index))
        missed = sum(f.sla.breached for f in at(index))
        return round(100 * met / (met + missed), 1) if met + missed else None

    busiest = result.rows[0] if result.rows else None
    return {"last": result.spans[-1].label, "previous": result.spans[-2].label,
            "created_last": total(-1), "created_previous": total(-2),
            "compliance_last": compliance(-1), "compliance_previous": compliance(-2),
            "busiest": busiest.name if busiest else "", "busiest_total": busiest.created_total if busiest else 0}
