"""What crisis mode sends residents, in their language: confirmations, answers to texts, and broadcast copies."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from civicdesk.channels import sms_segments
from civicdesk.crisis.models import Broadcast, Subscription


def absolute(path: str) -> str:
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"


def area_label(subscription: Subscription) -> str:
    return subscription.area.name if subscription.area_id and subscription.area else gettext("the whole city")


def sms_suffix(language: str) -> str:
    """The opt-out line every alert text ends with."""
    with translation.override(language):
        return " " + gettext("Reply STOP to end alerts.")


def broadcast_sms(broadcast: Broadcast, language: str) -> str:
    text = broadcast.sms_es if language == "es" and broadcast.sms_es.strip() else broadcast.sms_en
    return text.strip() + sms_suffix(language)


def segments(text: str) -> int:
    return max(1, sms_segments.count(text).segments)


def broadcast_email(broadcast: Broadcast, subscription: Subscription) -> tuple[str, str]:
    """(subject, text) of one subscriber's copy, with the incident's page and the one-step unsubscribe link."""
    language = subscription.language
    incident = broadcast.incident
    with translation.override(language):
        body = broadcast.text_es if language == "es" and broadcast.text_es.strip() else broadcast.text_en
        subject = gettext("Alert from %(site)s: %(title)s") % {"site": settings.SITE_NAME,
                                                               "title": incident.title(language)}
        page = absolute(reverse("crisis:incident", args=[incident.slug]))
        stop = absolute(reverse("crisis:unsubscribe", args=[subscription.token]))
        text = "\n\n".join([
            body.strip(),
            gettext("Updates and a map: %(url)s") % {"url": page},
            gettext("You get this because you subscribed to alerts for %(area)s. To stop them, open this link "
                    "(one step): %(url)s") % {"area": area_label(subscription), "url": stop},
        ])
    return subject, text


def confirmation_email(subscription: Subscription) -> tuple[str, str]:
    with translation.override(subscription.language):
        confirm = absolute(reverse("crisis:confirm", args=[subscription.token]))
        stop = absolute(reverse("crisis:unsubscribe", args=[subscription.token]))
        subject = gettext("Confirm your alerts from %(site)s") % {"site": settings.SITE_NAME}
        text = "\n\n".join([
            gettext("Someone (we hope you) asked for emergency alerts for %(area)s to be sent to this address.")
            % {"area": area_label(subscription)},
            gettext("To start them, open this link: %(url)s") % {"url": confirm},
            gettext("If you did not ask for them, ignore this email: nothing will be sent. To refuse them now, open "
                    "this link: %(url)s") % {"url": stop},
        ])
    return subject, text


def confirmation_sms(subscription: Subscription) -> str:
    with translation.override(subscription.language):
        return gettext("%(site)s alerts for %(area)s: reply YES to confirm. Reply STOP to refuse. Message and data "
                       "rates may apply.") % {"site": settings.SITE_NAME, "area": area_label(subscription)}


def joined_sms(subscription: Subscription) -> str:
    with translation.override(subscription.language):
        return gettext("%(site)s: you will get emergency alerts for %(area)s by text. Reply STOP to end them.") % {
            "site": settings.SITE_NAME, "area": area_label(subscription)}


def unknown_area_sms(language: str, names: list[str]) -> str:
    with translation.override(language):
        return gettext("%(site)s: we do not know that area. Text JOIN for alerts for the whole city, or JOIN and one "
                       "of: %(names)s.") % {"site": settings.SITE_NAME, "names": ", ".join(names)}
