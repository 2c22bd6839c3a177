"""How the scorecard reads on a page: links for rows, months as dates, the chart's data and the trend in words."""

import json
from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from civicdesk.scorecard.queries import Row, Scorecard


def linked(rows: list[Row], name: str, **kwargs: str) -> list[dict[str, Any]]:
    """Rows with the address of their own page (`name` reversed with the row's key as the last argument)."""
    out = []
    for row in rows:
        url = ""
        if name:
            key = "code" if "slug" in kwargs else "slug"
            url = reverse(name, kwargs={**kwargs, key: row.key})
        out.append({"label": row.label, "figures": row.figures, "url": url})
    return out


def month_rows(card: Scorecard) -> list[dict[str, Any]]:
    return [{"label": date.fromisoformat(f"{m.key}-01"), "figures": m.figures} for m in card.months]


def chart_json(card: Scorecard) -> str:
    months = month_rows(card)
    return json.dumps({
        "labels": [date_format(m["label"], "YEAR_MONTH_FORMAT") for m in months],
        "created": [m["figures"].get("created", 0) for m in months],
        "resolution_days": [None if m["figures"].get("resolution_median") is None
                            else round(m["figures"]["resolution_median"] / 86400, 1) for m in months],
        "requests": gettext("Requests"), "days": gettext("Median days to resolution")})


def summary(card: Scorecard) -> str:
    """The trend in one or two sentences (what the chart shows, for everyone who does not see it)."""
    months = month_rows(card)
    total = sum(m["figures"].get("created", 0) for m in months)
    if not total:
        return gettext("No requests in the last twelve months.")
    busiest = max(months, key=lambda m: m["figures"].get("created", 0))
    text = gettext("%(total)s requests in the last twelve months; the busiest month was %(month)s, with %(n)s.") % {
        "total": number_format(total, force_grouping=True), "month": date_format(busiest["label"], "YEAR_MONTH_FORMAT"),
        "n": number_format(busiest["figures"]["created"], force_grouping=True)}
    timed = [m for m in months if m["figures"].get("resolution_median") is not None]
    if len(timed) >= 2:
        first, last = timed[0], timed[-1]
        text += " " + gettext("The median time to resolution was %(before)s days in %(from)s and %(after)s days in "
                              "%(to)s.") % {
            "before": number_format(round(first["figures"]["resolution_median"] / 86400, 1), 1),
            "from": date_format(first["label"], "YEAR_MONTH_FORMAT"),
            "after": number_format(round(last["figures"]["resolution_median"] / 86400, 1), 1),
            "to": date_format(last["label"], "YEAR_MONTH_FORMAT")}
    return text


def context(card: Scorecard, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rows": rows, "months": month_rows(card), "chart_json": chart_json(card), "summary": summary(card),
            "min_count": settings.SCORECARD_MIN_COUNT}
