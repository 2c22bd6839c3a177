"""Template helpers for the staff pages: optional fragments from other apps, audit summaries, safe HTML."""

import logging
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import nh3
from django import template
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from civicdesk.cases.models import CaseStatus, Priority
from civicdesk.channels.models import Channel

register = template.Library()
log = logging.getLogger(__name__)
# Mail HTML is shown without images (no tracking pixels, no remote loads) and without links that submit anything.
MAIL_TAGS = nh3.ALLOWED_TAGS - {"img"}


@register.simple_tag(takes_context=True)
def include_optional(context: template.Context, name: str) -> str:
    """Render another app's fragment if that template exists; a broken fragment never breaks the page."""
    try:
        fragment = get_template(name)
    except template.TemplateDoesNotExist:
        return ""
    try:
        flat = {str(key): value for key, value in context.flatten().items()}
        return fragment.render(flat, context.get("request"))
    except Exception:
        log.exception("Optional fragment %s failed to render", name)
        return ""


@lru_cache(maxsize=32)
def _tag_template(library: str, tag: str) -> template.Template:
    return template.Template(f"{{% load {library} %}}{{% {tag} optional_tag_object %}}")


@register.simple_tag(takes_context=True)
def optional_tag(context: template.Context, library: str, tag: str, obj: Any) -> str:
    """Render `{% load library %}{% tag obj %}` if that app's tag library exists; never breaks the page."""
    try:
        compiled = _tag_template(library, tag)
    except template.TemplateSyntaxError:
        return ""
    try:
        with context.push(optional_tag_object=obj):
            return compiled.render(context)
    except Exception:
        log.exception("Optional tag %s.%s failed to render", library, tag)
        return ""


@register.simple_tag
def optional_url(name: str, *args: Any) -> str:
    """The URL of a route another app may or may not provide; empty when it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def inbox_url(context: template.Context, **changes: Any) -> str:
    """The inbox's URL with the current filters (context["filter_params"], valid ones only) changed by `changes`:
    None or "" drops a parameter. Tabs, pager links and saved views all keep the other filters this way."""
    params = dict(context.get("filter_params") or {})
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = str(value)
    query = urlencode(params)
    return reverse("inbox:inbox") + (f"?{query}" if query else "")


@register.simple_tag
def saved_view_url(query: str) -> str:
    return reverse("inbox:inbox") + (f"?{query}" if query else "")


@register.filter
def clean_html(value: str) -> SafeString:
    """Sanitise stored mail HTML again at display time (defence in depth): nh3 with images removed."""
    return mark_safe(nh3.clean(value or "", tags=MAIL_TAGS))  # noqa: S308 - nh3 output is sanitised


CHOICE_LABELS: dict[str, dict[str, Any]] = {"channel": dict(Channel.choices), "status": dict(CaseStatus.choices),
                 "priority": dict(Priority.choices)}


@register.filter
def choice_label(value: str, kind: str) -> str:
    """A channel, status or priority label by dict lookup (cheaper than get_FOO_display for long lists)."""
    return str(CHOICE_LABELS[kind].get(value, value))


@register.filter
def staff_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
