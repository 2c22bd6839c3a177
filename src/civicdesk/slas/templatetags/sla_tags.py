"""The case page's targets panel: each SLA target's due time, and whether it was met, missed or is paused."""

from typing import Any

from django import template
from django.utils.translation import gettext

from civicdesk.slas.queries import case_targets

register = template.Library()


@register.inclusion_tag("slas/_case_targets.html")
def case_targets_for(case: Any) -> dict[str, Any]:
    return {"case": case, "targets": case_targets(case)}


@register.filter
def as_hours(seconds: Any) -> str:
    """A target in seconds as staff enter it: "9 h", "0.5 h"; a dash when the policy does not measure it."""
    if seconds in (None, ""):
        return "—"
    return gettext("%(hours)s h") % {"hours": f"{int(seconds) / 3600:g}"}
