"""Template tag for the staff case page: `{% load open311_tags %}{% open311_forward_form case %}`."""

from typing import Any

from django import template

from civicdesk.open311.models import ExternalEndpoint, ForwardedCase

register = template.Library()


@register.inclusion_tag("open311/_forward_form.html", takes_context=True)
def open311_forward_form(context: Any, case: Any) -> dict[str, Any]:
    endpoints = list(ExternalEndpoint.objects.filter(is_active=True, mappings__service_id=case.service_id)
                     .distinct()) if case.service_id else []
    request = context.get("request")
    return {"case": case, "open311_endpoints": endpoints, "csrf_token": context.get("csrf_token"),
            "next": request.get_full_path() if request else "",
            "open311_forwards": list(ForwardedCase.objects.filter(case=case).select_related("endpoint"))}
