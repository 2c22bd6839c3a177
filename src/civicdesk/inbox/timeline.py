"""Readable audit-event summaries for the staff timeline, resolving user and team ids in two queries at most."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from civicdesk.agencies.models import Team
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.queries import TimelineItem

LABELS = {"assignee": "assignee", "team": "team", "status": "status", "priority": "priority", "tags": "tags",
          "agency": "agency", "survivor": "merged into", "duplicate": "merged in", "related": "linked to"}
ID_FIELDS = ("assignee", "team")
TRANSFER_REQUEST_WORDS = {  # the agencies' names are in the entry, as they were then
    AuditAction.TRANSFER_REQUESTED.value: gettext_lazy(
        "Asked to transfer this case to %(to)s. A supervisor of %(from)s approves or rejects the request."),
    AuditAction.TRANSFER_APPROVED.value: gettext_lazy("Approved the transfer to %(to)s."),
    AuditAction.TRANSFER_REJECTED.value: gettext_lazy(
        "Rejected the transfer to %(to)s: the case stays with %(from)s."),
    AuditAction.TRANSFER_WITHDRAWN.value: gettext_lazy("The request to transfer this case to %(to)s was withdrawn."),
}


def _value(value: Any, names: dict[Any, str]) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if value in (None, ""):
        return "none"
    return names.get(value, str(value))


def _names(events: list[AuditEntry]) -> dict[str, dict[Any, str]]:
    ids: dict[str, set[int]] = {field: set() for field in ID_FIELDS}
    for event in events:
        for side in (event.before or {}, event.after or {}):
            for field in ID_FIELDS:
                if isinstance(side.get(field), int):
                    ids[field].add(side[field])
    names: dict[str, dict[Any, str]] = {field: {} for field in ID_FIELDS}
    if ids["assignee"]:
        for user in get_user_model().objects.filter(pk__in=ids["assignee"]):
            names["assignee"][user.pk] = user.get_full_name() or user.get_username()
    if ids["team"]:
        names["team"] = dict(Team.objects.filter(pk__in=ids["team"]).values_list("pk", "name"))
    return names


def summarize(event: AuditEntry, names: dict[str, dict[Any, str]]) -> str:
    before, after = event.before or {}, event.after or {}
    if event.action == AuditAction.DELIVERY_FAILED:
        return f"{after.get('channel', '')} delivery failed after {after.get('attempts', '?')} attempts"
    if event.action in TRANSFER_REQUEST_WORDS:
        return TRANSFER_REQUEST_WORDS[event.action] % {"to": after.get("to_agency", "?"),
                                                        "from": after.get("from_agency", "?")}
    parts = []
    for key, label in LABELS.items():
        lookup = names.get(key, {})
        if key in before and key in after:
            parts.append(f"{label}: {_value(before[key], lookup)} → {_value(after[key], lookup)}")
        elif key in after:
            parts.append(f"{label}: {_value(after[key], lookup)}")
        elif key in before:
            parts.append(f"{label} was {_value(before[key], lookup)}")
    return "; ".join(parts)


def annotate_events(items: list[TimelineItem]) -> list[TimelineItem]:
    """Set `summary` on every event item (names for ids), with at most two extra queries."""
    events = [item.event for item in items if item.event is not None]
    names = _names(events)
    for event in events:
        event.summary = summarize(event, names)  # type: ignore[attr-defined]
    return items
