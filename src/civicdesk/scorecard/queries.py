"""Read-only: the scorecard as pages and files show it, from the precomputed figures (a handful of rows)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from civicdesk.agencies.models import Agency, Service
from civicdesk.scorecard.models import Grouping, PublishedFigures

EMPTY: dict[str, Any] = {"created": 0, "resolved": 0, "first_response_median": None, "resolution_median": None,
                         "within_target": None, "satisfaction": None}


@dataclass
class Row:
    """One line of a scorecard table: an agency, a service or a month, and its figures."""

    key: str
    label: str
    figures: dict[str, Any]
    link: str = ""


@dataclass
class Scorecard:
    computed_at: datetime | None
    rows: list[Row] = field(default_factory=list)  # agencies, or one agency's services
    months: list[Row] = field(default_factory=list)  # the trend, oldest first


def _rows(grouping: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]], datetime | None]:
    year: dict[str, dict[str, Any]] = {}
    by_month: dict[str, dict[str, dict[str, Any]]] = {}
    computed = None
    for period, groups, at in PublishedFigures.objects.filter(grouping=grouping).values_list(
            "period", "groups", "computed_at"):
        if period == PublishedFigures.LAST_YEAR:
            year, computed = groups, at
        else:
            by_month[period] = groups
    return year, by_month, computed


def public_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


def city_scorecard() -> Scorecard:
    """Every agency over the last twelve months, and the city's own trend is each agency's, month by month."""
    year, by_month, computed = _rows(Grouping.AGENCY)
    rows = [Row(a.slug, str(a.translated.name), year.get(a.slug, EMPTY), a.slug) for a in public_agencies()]
    return Scorecard(computed, rows=rows)


def agency_scorecard(agency: Agency) -> Scorecard:
    """One agency: its services over the last twelve months and its own trend month by month."""
    year, by_month, computed = _rows(Grouping.AGENCY)
    services_year, _, _ = _rows(Grouping.SERVICE)
    services = Service.objects.filter(agency=agency, is_active=True).order_by("name")
    rows = [Row(s.code, str(s.translated.name), services_year.get(s.code, EMPTY), s.code) for s in services]
    return Scorecard(computed, rows=rows, months=_trend(by_month, agency.slug))


def service_scorecard(service: Service) -> Scorecard:
    """One service: its trend month by month (and its twelve-month line as the only row)."""
    year, by_month, computed = _rows(Grouping.SERVICE)
    rows = [Row(service.code, str(service.translated.name), year.get(service.code, EMPTY))]
    return Scorecard(computed, rows=rows, months=_trend(by_month, service.code))


def _trend(by_month: dict[str, dict[str, dict[str, Any]]], key: str) -> list[Row]:
    return [Row(period, period, groups.get(key, EMPTY)) for period, groups in sorted(by_month.items())]


def service_of(agency: Agency, code: str) -> Service | None:
    return Service.objects.filter(agency=agency, code=code, is_active=True).first()


def agency_by_slug(slug: str) -> Agency | None:
    return Agency.objects.filter(slug=slug).first()
