"""What a notification says, in the desk and by email: what happened, on which case, and the link to it.

Only what the recipient already sees in the desk and nothing of the resident's: the case number, its service and
the staff member who acted; never the resident's name, address or message text.
"""

from email.utils import make_msgid

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext, override

from civicdesk.channels.outbound import OutboundMessage
from civicdesk.notifications.models import Notification, NotificationKind


def actor_name(notification: Notification) -> str:
    actor = notification.actor
    return (actor.get_full_name() or actor.get_username()) if actor is not None else ""


def sentence(notification: Notification) -> str:
    """One sentence: "Sam Lee assigned CD-2026-000123 to you." """
    values = {"actor": actor_name(notification), "number": notification.case.number}
    if notification.kind == NotificationKind.ASSIGNED:
        if values["actor"]:
            return gettext("%(actor)s assigned %(number)s to you.") % values
        return gettext("%(number)s was assigned to you automatically.") % values
    if notification.kind == NotificationKind.REPLY:
        return gettext("The resident replied on %(number)s, which is assigned to you.") % values
    if notification.kind == NotificationKind.SLA_WARNING:
        return gettext("%(number)s is close to missing its response or resolution target.") % values
    if notification.kind == NotificationKind.SLA_BREACHED:
        return gettext("%(number)s missed its response or resolution target.") % values
    if values["actor"]:
        return gettext("%(actor)s mentioned you in an internal note on %(number)s.") % values
    return gettext("You were mentioned in an internal note on %(number)s.") % values


def subject(notification: Notification) -> str:
    values = {"number": notification.case.number}
    if notification.kind == NotificationKind.ASSIGNED:
        return gettext("%(number)s was assigned to you") % values
    if notification.kind == NotificationKind.REPLY:
        return gettext("New reply from the resident on %(number)s") % values
    if notification.kind == NotificationKind.SLA_WARNING:
        return gettext("%(number)s is close to missing its target") % values
    if notification.kind == NotificationKind.SLA_BREACHED:
        return gettext("%(number)s missed its target") % values
    return gettext("You were mentioned on %(number)s") % values


def case_url(notification: Notification) -> str:
    return settings.SITE_URL + reverse("inbox:case", args=[notification.case.number])


def email_text(notification: Notification) -> str:
    service = notification.case.service
    lines = [sentence(notification), ""]
    if service is not None:
        lines.append(gettext("Service: %(service)s") % {"service": service.name})
    lines += [gettext("Open the case: %(url)s") % {"url": case_url(notification)}, "",
              gettext("You get this email because of your notification settings. Change them at %(url)s") % {
                  "url": settings.SITE_URL + reverse("notifications:settings")}]
    return "\n".join(lines) + "\n"


def outbound_email(notification: Notification) -> OutboundMessage:
    """The email to the recipient, in the staff language, sent through the mail channel's SMTP path."""
    with override(settings.STAFF_LANGUAGE):
        return OutboundMessage(
            to=notification.recipient.email, sender="", subject=f"[{settings.SITE_NAME}] {subject(notification)}",
            text=email_text(notification), message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
            automatic=True)
