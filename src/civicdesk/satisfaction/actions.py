"""Every write of satisfaction: send a case's survey and its "Is it fixed?" question (each once), take answers.

Questions go out through the case's usual outbound path (conversations.replies.notify: the reply target, the
delivery job, opt-out checks at delivery) as automatic messages, so they never count as a response. Each action is
one transaction; a question is claimed before it is sent (a unique row, or a compare-and-set on its status), so two
workers never send it twice, on SQLite or PostgreSQL.
"""

import json
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, override

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.actions import reopen_not_fixed
from civicdesk.cases.models import Case
from civicdesk.channels.models import Channel
from civicdesk.contacts.models import Contact, Identity, IdentityKind
from civicdesk.conversations.intake import accept
from civicdesk.conversations.replies import notify
from civicdesk.portal.adapter import PAYLOAD_VERSION, UPDATE_KIND
from civicdesk.satisfaction.asking import fix_check_url, question_text, stop_url, survey_url, where_to_ask
from civicdesk.satisfaction.models import AnsweredVia, AskStatus, FixCheck, Survey, SurveyOptOut

MAX_COMMENT = 2000


class AlreadyAnswered(ValueError):
    """The question was answered already (or was never sent): its link works once."""


def after_resolution(case_id: int) -> None:
    """The job of a case just resolved or closed: schedule its "Is it fixed?" question and send its survey."""
    case = Case.objects.select_related("contact").filter(pk=case_id).first()
    if case is None or not case.is_finished or case.merged_into_id:
        return  # reopened (or merged away) before the job ran: the next resolution asks
    schedule_fix_check(case)
    send_survey(case)


@transaction.atomic
def send_survey(case: Case) -> Survey | None:
    """The case's one survey: sent on the channel the resident used, or recorded as not sent (and why). None when
    the case already has one, whatever became of it: a case is never asked twice."""
    if Survey.objects.filter(case_id=case.pk).exists():
        return None
    where = where_to_ask(case)
    now = timezone.now()
    survey = Survey(case=case, contact_id=case.contact_id, created_at=now, language=where.language)
    if where.target is None:
        survey.status, survey.skip_reason = AskStatus.SKIPPED, where.skip
    else:
        survey.status, survey.channel, survey.recipient, survey.sent_at = (
            AskStatus.SENT, where.target.channel, where.target.to[:320], now)
    try:
        with transaction.atomic():
            survey.save()  # unique on the case: another worker that got here first wins
    except IntegrityError:
        return None
    if where.target is not None:
        text = question_text("survey", case, survey.channel, url=survey_url(survey.token),
                             stop_url=stop_url(survey.token))
        survey.message = notify(case, text)
        survey.save(update_fields=["message"])
    record(AuditAction.SURVEY, case=case, actor_label="system",
           after={"survey": survey.pk, "channel": survey.channel, "skipped": survey.skip_reason})
    return survey


@transaction.atomic
def schedule_fix_check(case: Case) -> FixCheck | None:
    """Due FIX_CHECK_DAYS after this resolution; a question not sent yet moves with a later resolution."""
    if settings.FIX_CHECK_DAYS <= 0:
        return None
    due = (case.resolved_at or timezone.now()) + timedelta(days=settings.FIX_CHECK_DAYS)
    check, created = FixCheck.objects.get_or_create(
        case=case, defaults={"contact_id": case.contact_id, "created_at": timezone.now(), "due_at": due,
                             "status": AskStatus.SCHEDULED})
    if not created:
        FixCheck.objects.filter(pk=check.pk, status__in=[AskStatus.SCHEDULED, AskStatus.WAITING]).update(
            status=AskStatus.SCHEDULED, due_at=due)
    return check


def due_fix_checks(limit: int = 200) -> list[int]:
    return list(FixCheck.objects.filter(status=AskStatus.SCHEDULED, due_at__lte=timezone.now())
                .order_by("due_at").values_list("pk", flat=True)[:limit])


@transaction.atomic
def send_fix_check(check_id: int) -> FixCheck | None:
    """Ask a due question, once: claimed by a compare-and-set on its status, so a second worker (or a second run
    of the periodic task) finds nothing to do. A case open again waits for its next resolution."""
    now = timezone.now()
    if not FixCheck.objects.filter(pk=check_id, status=AskStatus.SCHEDULED).update(status=AskStatus.SENT,
                                                                                  sent_at=now):
        return None
    check = FixCheck.objects.select_related("case", "case__contact").get(pk=check_id)
    case = check.case
    if not case.is_finished or case.merged_into_id:
        FixCheck.objects.filter(pk=check_id).update(status=AskStatus.WAITING, sent_at=None, due_at=None)
        return None
    where = where_to_ask(case)
    check.language = where.language
    if where.target is None:
        check.status, check.skip_reason, check.sent_at = AskStatus.SKIPPED, where.skip, None
    else:
        check.channel, check.recipient = where.target.channel, where.target.to[:320]
        text = question_text("fix_check", case, check.channel, url=fix_check_url(check.token),
                             stop_url=stop_url(check.token), days=settings.FIX_CHECK_DAYS)
        check.message = notify(case, text)
    check.save()
    record(AuditAction.FIX_CHECK, case=case, actor_label="system",
           after={"fix_check": check.pk, "channel": check.channel, "skipped": check.skip_reason})
    return check


def _clean(comment: str) -> str:
    return (comment or "").strip()[:MAX_COMMENT]


@transaction.atomic
def answer_survey(survey: Survey, *, score: int, comment: str = "", via: str = AnsweredVia.WEB,
                  provider_id: str = "") -> Survey:
    """The resident's score (1-5) and comment, once (AlreadyAnswered after that); on the case's timeline."""
    if not 1 <= int(score) <= 5:
        raise ValueError("A score is from 1 to 5.")
    comment, now = _clean(comment), timezone.now()
    if not Survey.objects.filter(pk=survey.pk, status=AskStatus.SENT).update(
            status=AskStatus.ANSWERED, score=int(score), comment=comment, answered_at=now, answered_via=via,
            answer_provider_id=provider_id[:300]):
        raise AlreadyAnswered(gettext("This survey was already answered."))
    survey.refresh_from_db()
    record(AuditAction.SURVEY_ANSWERED, case=survey.case, actor_label="resident",
           after={"survey": survey.pk, "score": survey.score, "via": via}, reason=comment)
    return survey


@transaction.atomic
def answer_fix_check(check: FixCheck, *, fixed: bool, comment: str = "", via: str = AnsweredVia.WEB,
                     provider_id: str = "") -> FixCheck:
    """Yes is recorded; no reopens the case (its timeline says so) with the resident's comment as their message.

    On the web the comment goes through the one intake as the resident's message on the case; a text message is
    itself that message (the SMS handler passes it on to the reopened case)."""
    comment, now = _clean(comment), timezone.now()
    if not FixCheck.objects.filter(pk=check.pk, status=AskStatus.SENT).update(
            status=AskStatus.ANSWERED, fixed=fixed, comment=comment, answered_at=now, answered_via=via,
            answer_provider_id=provider_id[:300]):
        raise AlreadyAnswered(gettext("This question was already answered."))
    check.refresh_from_db()
    case = Case.objects.select_for_update().get(pk=check.case_id)
    while case.merged_into_id:
        case = Case.objects.select_for_update().get(pk=case.merged_into_id)
    record(AuditAction.FIX_CHECK_ANSWERED, case=case, actor_label="resident",
           after={"fix_check": check.pk, "fixed": fixed, "via": via}, reason=comment)
    if fixed:
        return check
    reopen_not_fixed(case)
    if via == AnsweredVia.WEB:
        _post_comment(case, check, comment)
    return check


def _sender(contact_id: int | None) -> dict[str, str]:
    """The resident's email and phone, so their comment is theirs on the timeline (as the status page's)."""
    found: dict[str, str] = {}
    if contact_id is None:
        return found
    for kind, value in (Identity.objects.filter(contact_id=contact_id, kind__in=[IdentityKind.EMAIL,
                                                                                 IdentityKind.PHONE])
                        .order_by("kind", "pk").values_list("kind", "value")):
        found.setdefault(kind, value)
    return found


def _post_comment(case: Case, check: FixCheck, comment: str) -> None:
    with override(check.language or None):
        subject = gettext("Not fixed, says the resident")
        text = comment or gettext("This is not fixed.")
    payload = json.dumps({
        "version": PAYLOAD_VERSION, "kind": UPDATE_KIND, "form_token": f"fix-check-{check.pk}-{uuid.uuid4()}",
        "submitted_at": timezone.now().isoformat(), "case_number": case.number, "not_fixed": True,
        "subject": subject, "text": text, "contact": _sender(check.contact_id or case.contact_id), "photos": [],
    }).encode()
    accept(Channel.WEB, payload, provider_message_id=f"fix-check-{check.pk}", meta={"source": "fix-check"},
           content_type="application/json", inline=True)


@transaction.atomic
def stop_surveys(contact: Contact) -> bool:
    """No more surveys or "Is it fixed?" questions for this resident; True the first time."""
    _, created = SurveyOptOut.objects.get_or_create(contact=contact, defaults={"at": timezone.now()})
    if created:
        record(AuditAction.CONTACT_CHANGED, contact=contact, actor_label="resident",
               after={"surveys": False}, reason=gettext("The resident asked for no more surveys."))
    return created


def any_token(token: str) -> Any:
    """The survey or fix check of a token (either kind), or None."""
    return Survey.objects.filter(token=token).first() or FixCheck.objects.filter(token=token).first()
