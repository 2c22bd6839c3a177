"""The figures as a table: one row per group, the same columns in JSON (as_dict), CSV and XLSX."""

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from civicdesk.metrics.queries import GroupFigures
from civicdesk.metrics.stats import Summary

SUMMARIES = ("first_response", "next_response", "resolution", "resolution_since_reopen")
COLUMNS = ["group", "name", "created", "resolved", "reopened", "backlog",
           *[f"{name}_{part}" for name in SUMMARIES for part in ("n", "mean", "median", "p90")],
           "first_contact_n", "first_contact_rate", "backlog_age_n", "backlog_age_mean", "backlog_age_median",
           "backlog_age_p90", "sla_met", "sla_breached", "sla_compliance", "csat_sent", "csat_answered", "csat_score"]


def summary(value: Summary | None) -> dict[str, Any] | None:
    return asdict(value) if value is not None else None


def as_dict(group: GroupFigures) -> dict[str, Any]:
    """One group as the API answers it."""
    return {"group": group.key, "name": group.name, "created": group.created, "resolved": group.resolved,
            "reopened": group.reopened, "backlog": group.backlog,
            **{name: summary(getattr(group, name)) for name in SUMMARIES},
            "first_contact": {"n": group.first_contact, "rate": group.first_contact_rate},
            "backlog_age": summary(group.backlog_age),
            "sla": {"met": group.sla.met, "breached": group.sla.breached, "compliance": group.sla.compliance},
            "csat": {"sent": group.csat.sent, "answered": group.csat.answered, "score": group.csat.score}}


def row(group: GroupFigures) -> list[Any]:
    data = as_dict(group)
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{name}_{part}": inner for part, inner in value.items()})
        elif value is None and name == "backlog_age":
            flat.update({f"backlog_age_{part}": None for part in ("n", "mean", "median", "p90")})
        else:
            flat[name] = value
    return [flat.get(column) for column in COLUMNS]


def to_csv(groups: Sequence[GroupFigures]) -> str:
    """Seconds as numbers, an empty cell where there is no figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for group in groups:
        writer.writerow(["" if cell is None else _safe(cell) for cell in row(group)])
    return out.getvalue()


def to_xlsx(groups: Sequence[GroupFigures], title: str) -> bytes:
    from openpyxl import Workbook  # only when asked for: keeps it off every other request's import

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Metrics")
    sheet.append(COLUMNS)
    for group in groups:
        sheet.append([_safe(cell) for cell in row(group)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(cell: Any) -> Any:
    """Text a spreadsheet would run as a formula is kept as text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell
