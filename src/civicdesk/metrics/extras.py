"""SLA compliance and satisfaction per group, from the slas and satisfaction apps when they are installed.

Imported lazily: while an app is not installed (or not yet merged) its figures are zeros, so metrics never depends on
them at import time. slas.queries.compliance_by -> {group: (met, breached)} for targets met or breached in
[start, end); satisfaction.queries.csat_by -> {group: (sent, answered, score 0..100 or None)} for surveys sent in
[start, end). `group_field` is a Case field: agency_id, team_id, assignee_id, service_id or channel.
"""

from datetime import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from civicdesk.cases.models import Case


def _query(app_label: str, module: str, name: str) -> Any:
    if not apps.is_installed(f"civicdesk.{app_label}"):
        return None
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None


def compliance_by(cases: QuerySet[Case], group_field: str, start: datetime,
                  end: datetime) -> dict[Any, tuple[int, int]]:
    found = _query("slas", "civicdesk.slas.queries", "compliance_by")
    return dict(found(cases, group_field, start, end)) if found else {}


def csat_by(cases: QuerySet[Case], group_field: str, start: datetime,
            end: datetime) -> dict[Any, tuple[int, int, float | None]]:
    found = _query("satisfaction", "civicdesk.satisfaction.queries", "csat_by")
    return dict(found(cases, group_field, start, end)) if found else {}
