"""Where and whether a resident may be asked: the channel they used, unless they opted out (of surveys, or of
messages on that channel: STOP, a channel-wide opt-out), and how the question reads in their language."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from civicdesk.cases.models import Case
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel
from civicdesk.contacts.languages import contact_language, writing_to
from civicdesk.contacts.models import ContactKind
from civicdesk.conversations.replies import ReplyTarget, reply_target, target_refusal
from civicdesk.satisfaction.models import SkipReason, SurveyOptOut

# The channels a question goes out on: a link by email, a text to answer by SMS, a line in a live chat, or the
# resident's own status page. Public social posts are never asked (a survey under every comment).
ASKING_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.CHAT, Channel.WEB)
NOT_ASKED_KINDS = (ContactKind.AGENCY_STAFF, ContactKind.PARTNER)


@dataclass(frozen=True)
class Where:
    target: ReplyTarget | None
    skip: str = ""  # a SkipReason when nobody is asked
    language: str = "en"


def where_to_ask(case: Case) -> Where:
    """The target the case's next message to the resident goes to, or why none may be asked."""
    contact = case.contact if case.contact_id else None
    language = contact_language(contact)
    if contact is not None and contact.kind in NOT_ASKED_KINDS:
        return Where(None, SkipReason.NOT_RESIDENT, language)
    if contact is not None and SurveyOptOut.objects.filter(contact_id=contact.pk).exists():
        return Where(None, SkipReason.NO_SURVEYS, language)
    target = reply_target(case)
    if target.channel not in ASKING_CHANNELS or (target.channel != Channel.WEB and not target.to):
        return Where(None, SkipReason.NO_CHANNEL, language)
    if target.conversation is not None and target.conversation.visibility == Visibility.PUBLIC:
        return Where(None, SkipReason.NO_CHANNEL, language)
    if target_refusal(target):
        return Where(None, SkipReason.OPTED_OUT, language)
    return Where(target, "", language)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def survey_url(token: str) -> str:
    return absolute(reverse("satisfaction:survey", kwargs={"token": token}))


def fix_check_url(token: str) -> str:
    return absolute(reverse("satisfaction:fix_check", kwargs={"token": token}))


def stop_url(token: str) -> str:
    return absolute(reverse("satisfaction:stop", kwargs={"token": token}))


def question_text(template: str, case: Case, channel: str, **context: Any) -> str:
    """The question for `channel` (satisfaction/messages/<template>_<sms|chat|web|email>.txt) in the resident's
    language; the subject is the usual one of replies on the case."""
    variant = channel if channel in (Channel.SMS, Channel.CHAT, Channel.WEB) else Channel.EMAIL
    with writing_to(case.contact if case.contact_id else None):
        return render_to_string(f"satisfaction/messages/{template}_{variant}.txt",
                                {"case": case, **context}).strip()
