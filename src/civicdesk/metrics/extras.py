"""SLA compliance and satisfaction per group, as the slas and satisfaction apps count them.

slas.queries.compliance_by -> {group: (met, breached)} for targets met or breached in [start, end);
satisfaction.queries.csat_by -> {group: (sent, answered, score 0..100 or None)} for surveys sent in [start, end).
The *_by_spans variants count several spans in the same queries, keyed (group, span index).
`group_field` is a Case field path: agency_id, team_id, assignee_id, service_id, channel, or metric_area__area_id.
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from civicdesk.cases.models import Case
from civicdesk.satisfaction import queries as satisfaction
from civicdesk.slas import queries as slas


def compliance_by(cases: QuerySet[Case], group_field: str, start: datetime,
                  end: datetime) -> dict[Any, tuple[int, int]]:
    return dict(slas.compliance_by(cases, group_field, start, end))


def csat_by(cases: QuerySet[Case], group_field: str, start: datetime,
            end: datetime) -> dict[Any, tuple[int, int, float | None]]:
    return dict(satisfaction.csat_by(cases, group_field, start, end))


def compliance_by_spans(case_lookups: dict[str, Any], group_field: str,
                        spans: list[tuple[datetime, datetime]]) -> dict[tuple[Any, int], tuple[int, int]]:
    return dict(slas.compliance_by_spans(case_lookups, group_field, spans))


def csat_by_spans(case_lookups: dict[str, Any], group_field: str,
                  spans: list[tuple[datetime, datetime]]) -> dict[tuple[Any, int], tuple[int, int, float | None]]:
    return dict(satisfaction.csat_by_spans(case_lookups, group_field, spans))
