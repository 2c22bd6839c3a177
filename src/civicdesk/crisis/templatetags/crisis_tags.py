"""The incident banner of every portal page (base.html's banner block; staff pages leave it out)."""

from typing import Any

from django import template
from django.utils import translation

from civicdesk.crisis.queries import active_incidents

register = template.Library()


@register.inclusion_tag("crisis/_banner.html")
def incident_banner() -> dict[str, Any]:
    """The active incidents in the page's language, latest first (one query)."""
    language = translation.get_language() or "en"
    return {"incidents": [{"slug": i.slug, "title": i.title(language), "summary": i.summary(language),
                           "key": f"{i.slug}"} for i in active_incidents()]}
