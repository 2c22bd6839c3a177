"""The case page's targets panel: each SLA target's due time, and whether it was met, missed or is paused."""

from typing import Any

from django import template

from civicdesk.slas.queries import case_targets

register = template.Library()


@register.inclusion_tag("slas/_case_targets.html")
def case_targets_for(case: Any) -> dict[str, Any]:
    return {"case": case, "targets": case_targets(case)}
