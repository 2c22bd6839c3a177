"""Read-only satisfaction figures and lookups: csat_by for the metrics, a case's answers, open questions by token.

Satisfaction score (the one definition, in docs and here): of the surveys *sent* within [start, end) on the cases
given, `sent` counts them, `answered` counts those answered (whenever the answer came), and `score` is the share
of answers that are 4 or 5 out of 5, as a percentage 0..100 (None when nothing was answered). Surveys that were not
sent (opted out, no channel) are in none of the three. This is Chatwoot's satisfaction score, with the response
rate answered / sent.
"""

from datetime import datetime
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When

from civicdesk.cases.models import Case
from civicdesk.satisfaction.models import AskStatus, FixCheck, Survey

SATISFIED = 4  # 4 and 5 out of 5 count as satisfied


def csat_by(cases: QuerySet[Case], group_field: str, start: datetime,
            end: datetime) -> dict[Any, tuple[int, int, float | None]]:
    """Per value of the Case field path `group_field` ("agency_id", "team_id", "assignee_id", "service_id",
    "channel", ...): (sent, answered, score) of the surveys sent within [start, end). One query."""
    rows = (Survey.objects.filter(case__in=cases.order_by().values("pk"), sent_at__gte=start, sent_at__lt=end)
            .values(group=_path(group_field))
            .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(score__isnull=False)),
                      satisfied=Count("pk", filter=Q(score__gte=SATISFIED)))
            .order_by())
    return {row["group"]: (row["sent"], row["answered"],
                           round(100.0 * row["satisfied"] / row["answered"], 1) if row["answered"] else None)
            for row in rows}


def csat_by_spans(case_lookups: dict[str, Any], group_field: str,
                  spans: list[tuple[datetime, datetime]]) -> dict[tuple[Any, int], tuple[int, int, float | None]]:
    """csat_by for each of several [start, end) spans at once, over the cases matching `case_lookups` (Case field
    lookups; {}: every case): {(group, span index): (sent, answered, score)}, in one query (the cases joined)."""
    if not spans:
        return {}
    low, high = min(start for start, _ in spans), max(end for _, end in spans)
    span = SqlCase(*(When(sent_at__gte=start, sent_at__lt=end, then=Value(index))
                   for index, (start, end) in enumerate(spans)), default=Value(-1), output_field=IntegerField())
    scope = {f"case__{name}": value for name, value in case_lookups.items()}
    rows = (Survey.objects.filter(**scope, sent_at__gte=low, sent_at__lt=high)
            .values(group=_path(group_field), span=span)
            .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(score__isnull=False)),
                      satisfied=Count("pk", filter=Q(score__gte=SATISFIED)))
            .order_by())
    return {(row["group"], row["span"]): (row["sent"], row["answered"], round(
        100.0 * row["satisfied"] / row["answered"], 1) if row["answered"] else None)
        for row in rows if row["span"] >= 0}


def _path(group_field: str) -> Any:
    return F(f"case__{group_field}")


def feedback_of(case: Case) -> tuple[Survey | None, FixCheck | None]:
    """The case's survey and "Is it fixed?" question (either may be missing), in one query."""
    row = Case.objects.select_related("survey", "fix_check").only(
        "pk", *(f"survey__{f.name}" for f in Survey._meta.concrete_fields),
        *(f"fix_check__{f.name}" for f in FixCheck._meta.concrete_fields)).filter(pk=case.pk).first()
    return (getattr(row, "survey", None), getattr(row, "fix_check", None)) if row is not None else (None, None)


def survey_of(case: Case) -> Survey | None:
    return Survey.objects.filter(case_id=case.pk).first()


def fix_check_of(case: Case) -> FixCheck | None:
    return FixCheck.objects.filter(case_id=case.pk).first()


def open_survey(case: Case) -> Survey | None:
    """The case's survey while it waits for an answer (the status page and the end of a chat ask it)."""
    return Survey.objects.filter(case_id=case.pk, status=AskStatus.SENT).first()


def open_fix_check(case: Case) -> FixCheck | None:
    return FixCheck.objects.filter(case_id=case.pk, status=AskStatus.SENT).first()


def survey_for_token(token: str) -> Survey | None:
    if not token or len(token) > 64:
        return None
    return Survey.objects.select_related("case").filter(token=token).first()


def fix_check_for_token(token: str) -> FixCheck | None:
    if not token or len(token) > 64:
        return None
    return FixCheck.objects.select_related("case").filter(token=token).first()
