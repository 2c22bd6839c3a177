"""Demo satisfaction: surveys sent (and many answered) on Riverbend's finished cases, and "Is it fixed?" questions
on those resolved long enough ago, in the shape satisfaction.actions leaves them (rows, messages, timeline)."""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, CaseStatus, DeliveryStatus, Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.contacts.languages import contact_language
from civicdesk.satisfaction.asking import fix_check_url, question_text, stop_url, survey_url
from civicdesk.satisfaction.models import AnsweredVia, AskStatus, FixCheck, Survey, new_token

SCORES = {5: 40, 4: 28, 3: 12, 2: 8, 1: 12}
COMMENTS = {5: ["Fixed the next day. Thank you!", "Very quick, and the crew was friendly."],
            4: ["Good, but it took a while to hear back."], 3: ["It got done, eventually."],
            2: ["Nobody told me it was done; I had to check."], 1: ["The problem is still half there."]}
BATCH = 1000


def _channel(case: Case) -> tuple[str, str]:
    email = case.contact.email if case.contact else ""
    return (Channel.EMAIL, email) if email else (Channel.WEB, "")


def _message(case: Case, channel: str, to: str, text: str, at: datetime) -> Message:
    return Message(case=case, direction=Direction.OUTBOUND, channel=channel, is_automatic=True, contact=case.contact,
                   subject=f"[{case.number}] {case.subject}"[:300] if channel == Channel.EMAIL else "",
                   body_text=text, visible_text=text, recipient=to, created_at=at,
                   delivery_status=DeliveryStatus.CAPTURED if channel == Channel.EMAIL else DeliveryStatus.PUBLISHED)


def seed_surveys(*, seed: int) -> tuple[int, int]:
    """(surveys, fix checks) on the demo's finished cases; about half of the surveys sent are answered."""
    rng, now = random.Random(seed), timezone.now()
    finished = (Case.objects.filter(status__in=CaseStatus.finished(), merged_into__isnull=True, survey__isnull=True,
                                    resolved_at__isnull=False).select_related("contact")
                .prefetch_related("contact__identities").order_by("pk"))
    surveys, checks, messages, audit = [], [], [], []
    for case in finished:
        assert case.resolved_at is not None
        if rng.random() < 0.2:
            continue  # resolved before surveys were turned on
        channel, to = _channel(case)
        sent = case.resolved_at + timedelta(minutes=rng.uniform(1, 20))
        survey = Survey(case=case, contact=case.contact, created_at=sent, sent_at=sent, channel=channel,
                        recipient=to, language=contact_language(case.contact), token=new_token())
        message = _message(case, channel, to, question_text("survey", case, channel, url=survey_url(survey.token),
                                                            stop_url=stop_url(survey.token)), sent)
        survey.message = message
        messages.append(message)
        audit.append(AuditEntry(case=case, action=AuditAction.SURVEY, actor_label="system", at=sent,
                                after={"channel": channel, "skipped": ""}))
        answered = sent + timedelta(hours=rng.uniform(0.2, 48))
        if rng.random() < 0.55 and answered < now:
            score = rng.choices(list(SCORES), list(SCORES.values()))[0]
            comment = rng.choice(COMMENTS[score]) if rng.random() < 0.5 else ""
            survey.status, survey.score, survey.comment = AskStatus.ANSWERED, score, comment
            survey.answered_at, survey.answered_via = answered, AnsweredVia.WEB
            audit.append(AuditEntry(case=case, action=AuditAction.SURVEY_ANSWERED, actor_label="resident",
                                    at=answered, after={"score": score, "via": AnsweredVia.WEB}, reason=comment))
        surveys.append(survey)
        checks.append(_fix_check(rng, case, channel, to, now, messages, audit))
    Message.objects.bulk_create(messages, batch_size=BATCH)
    for survey in surveys:
        survey.message_id = survey.message.pk if survey.message else None
    Survey.objects.bulk_create(surveys, batch_size=BATCH)
    for check in checks:
        check.message_id = check.message.pk if check.message else None
    FixCheck.objects.bulk_create(checks, batch_size=BATCH)
    AuditEntry.objects.bulk_create(audit, batch_size=BATCH)
    return len(surveys), len(checks)


def _fix_check(rng: random.Random, case: Case, channel: str, to: str, now: datetime, messages: list[Message],
               audit: list[AuditEntry]) -> FixCheck:
    assert case.resolved_at is not None
    due = case.resolved_at + timedelta(days=settings.FIX_CHECK_DAYS)
    check = FixCheck(case=case, contact=case.contact, created_at=case.resolved_at, due_at=due, token=new_token(),
                     language=contact_language(case.contact), status=AskStatus.SCHEDULED)
    if due >= now or settings.FIX_CHECK_DAYS <= 0:
        return check
    check.status, check.sent_at, check.channel, check.recipient = AskStatus.SENT, due, channel, to
    check.message = _message(case, channel, to, question_text(
        "fix_check", case, channel, url=fix_check_url(check.token), stop_url=stop_url(check.token),
        days=settings.FIX_CHECK_DAYS), due)
    messages.append(check.message)
    audit.append(AuditEntry(case=case, action=AuditAction.FIX_CHECK, actor_label="system", at=due,
                            after={"channel": channel, "skipped": ""}))
    answered = due + timedelta(hours=rng.uniform(1, 72))
    if rng.random() < 0.5 and answered < now:
        check.status, check.fixed, check.answered_at, check.answered_via = (
            AskStatus.ANSWERED, True, answered, AnsweredVia.WEB)
        audit.append(AuditEntry(case=case, action=AuditAction.FIX_CHECK_ANSWERED, actor_label="resident",
                                at=answered, after={"fixed": True, "via": AnsweredVia.WEB}))
    return check
