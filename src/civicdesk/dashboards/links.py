"""Every dashboard figure links to the inbox filtered to the cases behind it, in the inbox's own parameters (the
names of inbox.filter_forms.InboxFilterForm, which maps them onto cases.filters.CaseFilters): no vocabulary of our
own."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from civicdesk.metrics.models import Dimension

INBOX_PARAMS = frozenset({"q", "view", "status", "status_group", "assignee", "sort", "channel", "agency", "team",
                          "service", "created_from", "created_to", "sla", "area"})
GROUP_PARAMS: dict[str, str] = {Dimension.AGENCY: "agency", Dimension.SERVICE: "service", Dimension.CHANNEL: "channel",
                                Dimension.TEAM: "team", Dimension.AREA: "area"}


def inbox_url(**params: Any) -> str:
    """/staff/?name=value... for the inbox filters given (empty values left out); an unknown name is a bug."""
    unknown = set(params) - INBOX_PARAMS
    if unknown:
        raise ValueError(f"Not an inbox filter: {', '.join(sorted(unknown))}.")
    query = urlencode([(name, str(value)) for name, value in params.items() if value not in (None, "")])
    return reverse("inbox:inbox") + (f"?{query}" if query else "")


def group_param(group_by: str, key: str) -> dict[str, str]:
    """The inbox filter naming one group of a metrics dimension ({} for the "none" group, which has no filter)."""
    if not key or group_by not in GROUP_PARAMS:
        return {}
    return {GROUP_PARAMS[group_by]: key}
