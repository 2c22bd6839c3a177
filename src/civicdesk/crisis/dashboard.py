"""The incident dashboard's figures (read-only): cases since the incident in its areas, by area, open urgent ones,
and the hook where social listening's post figures plug in once that app is installed."""

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import shapely
from django.db.models import QuerySet
from django.utils import timezone

from civicdesk.cases.models import Case, CaseStatus, Priority
from civicdesk.crisis import queries
from civicdesk.crisis.models import Incident
from civicdesk.gis.models import CaseLocation

OPEN = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)
LISTENING_MODULE = "civicdesk.listening.queries"  # must offer incident_figures(incident) -> dict | None


@dataclass
class CaseFigures:
    since: datetime
    until: datetime
    total: int = 0  # cases created in the window in the incident's areas (the whole city: every case)
    by_area: list[tuple[str, int]] = field(default_factory=list)
    urgent_open: list[Case] = field(default_factory=list)
    by_hour: list[tuple[datetime, int]] = field(default_factory=list)


def _located_in(incident: Incident, since: datetime, until: datetime) -> tuple[list[int], list[tuple[str, int]]]:
    """Ids of the cases created in the window whose point is in one of the incident's areas, and counts by area."""
    areas = queries.incident_areas(incident)
    if not areas:
        return [], []
    rows = CaseLocation.objects.filter(created_at__gte=since, created_at__lt=until,
                                       lat__gte=min(a.min_lat for a in areas), lat__lte=max(a.max_lat for a in areas),
                                       lon__gte=min(a.min_lon for a in areas), lon__lte=max(a.max_lon for a in areas))
    points = list(rows.values_list("case_id", "lon", "lat"))
    found: set[int] = set()
    counts = []
    for area in areas:
        geometry = shapely.from_wkb(bytes(area.wkb))
        inside = [case_id for case_id, lon, lat in points if shapely.contains_xy(geometry, lon, lat)]
        counts.append((area.name, len(inside)))
        found.update(inside)
    return sorted(found), counts


def case_figures(incident: Incident, visible: QuerySet[Case]) -> CaseFigures:
    since = incident.declared_at
    until = incident.ended_at or timezone.now()
    figures = CaseFigures(since, until)
    window = Case.objects.filter(created_at__gte=since, created_at__lt=until)
    if not incident.whole_city:
        ids, figures.by_area = _located_in(incident, since, until)
        window = window.filter(pk__in=ids)
    figures.total = window.count()
    figures.urgent_open = list(visible.filter(pk__in=window.values("pk"), priority=Priority.URGENT,
                                              status__in=OPEN).select_related("service").order_by("created_at")[:20])
    hours: dict[datetime, int] = {}
    for created in window.values_list("created_at", flat=True).iterator(chunk_size=2000):
        hour = timezone.localtime(created).replace(minute=0, second=0, microsecond=0)
        hours[hour] = hours.get(hour, 0) + 1
    figures.by_hour = sorted(hours.items())[-48:]
    return figures


def listening_figures(incident: Incident) -> dict[str, Any] | None:
    """Post volume and urgent posts from social listening, when that app offers them; None until then (the page
    says so). The hook: civicdesk.listening.queries.incident_figures(incident)."""
    try:
        module = importlib.import_module(LISTENING_MODULE)
    except ImportError:
        return None
    figures = getattr(module, "incident_figures", None)
    return figures(incident) if callable(figures) else None
