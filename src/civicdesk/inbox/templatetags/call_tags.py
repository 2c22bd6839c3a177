"""The case page's "Log a phone call" form, rendered by a tag so the case view needs no change."""

from typing import Any

from django import template

from civicdesk.inbox.call_forms import LogCallForm

register = template.Library()


@register.inclusion_tag("inbox/_log_call_form.html", takes_context=True)
def log_call_form(context: template.Context, case: Any) -> dict[str, Any]:
    return {"case": case, "call_form": LogCallForm(), "csrf_token": context.get("csrf_token")}
