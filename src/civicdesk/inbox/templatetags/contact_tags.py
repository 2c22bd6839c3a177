"""Template helpers of the contact pages: language and identity-kind names."""

from django import template
from django.conf import settings

from civicdesk.inbox.contact_forms import identity_kind_label

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """The name of a LANGUAGES code ("es" -> "Español"), the code itself when unknown, "" for none."""
    return str(dict(settings.LANGUAGES).get(code, code)) if code else ""


@register.filter
def identity_kind(kind: str) -> str:
    """The label of an identity kind ("phone" -> "Phone number")."""
    return identity_kind_label(kind)
