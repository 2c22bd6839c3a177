"""Template filters of the trends tables: each cell's text, link and a small extra (a count behind a median)."""

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from civicdesk.dashboards.trends import GROUP_CHOICES, GroupRow

register = template.Library()


@register.filter
def group_label(group_by: str) -> str:
    labels: dict[str, Any] = dict(GROUP_CHOICES)
    return str(labels.get(group_by, group_by))


@register.filter
def trend_cells(row: GroupRow, measure: str) -> list[dict[str, Any]]:
    """One cell per period: created (linked to the cases), median hours to first response (with how many), or the
    share of targets met (with the missed count, linked)."""
    cells = []
    for figures, created_url, missed_url in zip(row.figures, row.created_urls, row.missed_urls, strict=True):
        if measure == "created":
            count = figures.created if figures else 0
            cells.append({"text": str(count), "url": created_url if count else "", "extra": ""})
        elif measure == "first_response":
            median = figures.first_response.median if figures else None
            cells.append({"text": "—" if median is None else number_format(median / 3600, 1), "url": "",
                          "extra": "" if median is None else f"({figures.first_response.n})" if figures else ""})
        else:
            share = figures.sla.compliance if figures else None
            missed = figures.sla.breached if figures else 0
            cells.append({"text": "—" if share is None else f"{number_format(share, 0)}%", "url": "",
                          "extra": "" if share is None else _("(%(count)s missed)") % {"count": missed},
                          "extra_url": missed_url if missed else ""})
    return cells
