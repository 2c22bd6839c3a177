"""Texts that answer our questions: a score of 1-5 for a survey asked by SMS, YES/NO (SÍ) for "Is it fixed?".

The next text from the number asked, within SURVEY_SMS_REPLY_DAYS (FIX_CHECK_SMS_REPLY_DAYS), that reads as an
answer is taken as one: a score is kept on the survey and is not a message on the case; "yes" likewise; "no"
reopens the case and the text itself goes on to the case as the resident's message. Any other text (and any text
after the answer) goes through as usual. STOP and the other consent keywords are never answers.
"""

import re
import unicodedata
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from civicdesk.channels.events import InboundMessage
from civicdesk.channels.models import Channel
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import IdentityKind
from civicdesk.conversations.consent import refusal
from civicdesk.conversations.inbound_hooks import Taken
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.threading import find_conversation
from civicdesk.satisfaction import actions
from civicdesk.satisfaction.models import AnsweredVia, AskStatus, FixCheck, Survey

# "4", "4.", "5/5", "4 - quick work, thanks": the score, then perhaps a comment. "45", "4.5" and "10" are not.
SCORE = re.compile(r"([1-5])(?:\s*/\s*5)?(?!\w|[.,]\d)[\s\-.,:;!)]*(.*)", re.DOTALL)
WORD = re.compile(r"([^\W\d_]+)[\W_]*(.*)", re.DOTALL)
YES = frozenset({"YES", "Y", "YEP", "YEAH", "SI", "SÍ"})
NO = frozenset({"NO", "N", "NOPE"})
MAX_ANSWER = 1000


def score_of(text: str) -> tuple[int, str] | None:
    """(score, comment) when the text is a score from 1 to 5, alone or followed by a comment."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    match = SCORE.fullmatch(text) if text and len(text) <= MAX_ANSWER else None
    return (int(match.group(1)), match.group(2).strip()) if match else None


def yes_no_of(text: str) -> tuple[bool, str] | None:
    """(fixed, comment) when the text starts with yes or no (in English or Spanish)."""
    text = unicodedata.normalize("NFC", text or "").strip().lstrip("¡¿*\"'")
    match = WORD.fullmatch(text) if text and len(text) <= MAX_ANSWER else None
    if not match:
        return None
    word = match.group(1).upper()
    if word in YES:
        return True, match.group(2).strip()
    if word in NO:
        return False, match.group(2).strip()
    return None


def take_sms_answer(event: InboundMessage) -> Taken | None:
    """The pipeline's hook (conversations.inbound_hooks, ANSWER stage): an answer to a question this number was
    asked, or None."""
    if event.channel != Channel.SMS or event.sender is None or event.sender.kind != IdentityKind.PHONE:
        return None
    text = event.visible_text or event.body_text
    score, fixed = score_of(text), None
    if score is None:
        fixed = yes_no_of(text)
        if fixed is None:
            return None
    try:
        number = normalize_identity(IdentityKind.PHONE, event.sender.value)
    except InvalidIdentity:
        return None
    if score is not None:
        return _take_score(event, number, *score)
    assert fixed is not None
    return _take_fixed(event, number, *fixed)


def _repeat(model: type[Survey] | type[FixCheck], event: InboundMessage, number: str) -> bool:
    return bool(event.provider_message_id) and model.objects.filter(
        channel=Channel.SMS, recipient=number, answer_provider_id=event.provider_message_id[:300]).exists()


def _latest_open(model: Any, number: str, days: int) -> Any:
    """The latest question of this kind asked of the number within `days`, still waiting for its answer."""
    since = timezone.now() - timedelta(days=days)
    return (model.objects.select_related("case").filter(channel=Channel.SMS, recipient=number,
                                                        status=AskStatus.SENT, sent_at__gte=since)
            .order_by("-sent_at", "-pk").first())


def _stopped(event: InboundMessage, number: str) -> bool:
    """The number opted out of this sender since it was asked: its texts are not answers (YES is then START)."""
    return bool(refusal(Channel.SMS, number, event.account_id))


def _take_score(event: InboundMessage, number: str, score: int, comment: str) -> Taken | None:
    if _repeat(Survey, event, number):
        return Taken(event, consumed=True, duplicate=True)
    survey = _latest_open(Survey, number, settings.SURVEY_SMS_REPLY_DAYS)
    if survey is None or _stopped(event, number):
        return None
    try:
        actions.answer_survey(survey, score=score, comment=comment, via=AnsweredVia.SMS,
                              provider_id=event.provider_message_id)
    except actions.AlreadyAnswered:
        return None
    return Taken(event, consumed=True)


def _take_fixed(event: InboundMessage, number: str, fixed: bool, comment: str) -> Taken | None:
    if _repeat(FixCheck, event, number):
        return Taken(event, consumed=True, duplicate=True)
    check = _latest_open(FixCheck, number, settings.FIX_CHECK_SMS_REPLY_DAYS)
    if check is None or _stopped(event, number):
        return None
    try:
        actions.answer_fix_check(check, fixed=fixed, comment=comment, via=AnsweredVia.SMS,
                                 provider_id=event.provider_message_id)
    except actions.AlreadyAnswered:
        return None
    if fixed:
        return Taken(event, consumed=True)
    # "No": the text goes on to the reopened case as the resident's message, even after a long silence
    case = check.case
    conversation = find_conversation(event)
    if conversation is not None:
        Conversation.objects.filter(pk=conversation.pk).update(case=case, last_inbound_at=timezone.now())
    return Taken(replace(event, case_number=case.number), consumed=False)
