"""Template helpers of notifications: the header's bell, a note's text with @mentions linked, a notification's
sentence."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from civicdesk.accounts.gate import ENROLLED_KEY
from civicdesk.accounts.queries import must_use_two_factor
from civicdesk.cases.permissions import staff_profile
from civicdesk.notifications import mentions, queries, texts
from civicdesk.notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def note_text(context: template.Context, message: Any) -> SafeString:
    """The note's text with each @handle of active staff as a link (staff are read once per page, and only when a
    note holds an @)."""
    text = message.visible_text or message.body_text
    if "@" not in text:
        return mentions.linked(text, {})
    request = context.get("request")
    staff = getattr(request, "notification_staff_handles", None)
    if staff is None:
        staff = queries.staff_handles()
        if request is not None:
            request.notification_staff_handles = staff  # every note of the page uses this one read
    return mentions.linked(text, staff)


@register.filter
def sentence(notification: Notification) -> str:
    return texts.sentence(notification)


@register.simple_tag(takes_context=True)
def shows_bell(context: template.Context) -> bool:
    """Whether the page's header has the notification count: a staff member past the two-factor gate (on the code
    pages the count's requests would be sent back to the code page, again and again). No query of its own."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    if not (user.is_superuser or staff_profile(user) is not None):
        return False
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return True
    return not must_use_two_factor(user, enrolled=bool(request.session.get(ENROLLED_KEY, False)))
