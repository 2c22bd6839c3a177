""""Is it fixed?": due FIX_CHECK_DAYS after resolution, sent by the periodic task exactly once; "no" reopens the case
with the resident's comment as their message and a timeline sentence, "yes" is recorded; by the page or by SMS."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.actions import change_status
from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.satisfaction import actions, tasks
from civicdesk.satisfaction.models import AnsweredVia, AskStatus, FixCheck
from civicdesk.satisfaction.tests.conftest import inbound, outbound, reply_text, resolve
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def make_due(case: Case) -> None:
    FixCheck.objects.filter(case=case).update(due_at=timezone.now() - timedelta(minutes=1))


def asked(case: Case) -> list[Message]:
    return [m for m in outbound(case) if "/fixed/" in m.body_text]


def test_it_is_due_fix_check_days_after_resolution_and_the_task_sends_it_exactly_once(world, settings):
    settings.FIX_CHECK_DAYS = 28
    case = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    check = FixCheck.objects.get(case=case)
    assert check.status == AskStatus.SCHEDULED and check.due_at == case.resolved_at + timedelta(days=28)
    assert tasks.send_due_fix_checks.call() == 0 and not asked(case)  # not due yet
    make_due(case)
    assert tasks.send_due_fix_checks.call() == 1
    assert tasks.send_due_fix_checks.call() == 0  # the next run finds nothing: sent once
    assert actions.send_fix_check(check.pk) is None  # nor does a second worker holding the same id
    [message] = asked(case)
    check.refresh_from_db()
    assert (check.status, check.channel, check.message) == (AskStatus.SENT, "email", message)
    assert message.is_automatic and "about 28 days ago" in message.body_text
    assert AuditEntry.objects.filter(case=case, action=AuditAction.FIX_CHECK).count() == 1


def test_the_periodic_task_is_in_the_scheduler_list(settings):
    assert ("civicdesk.satisfaction.tasks.send_due_fix_checks", 300) in settings.PERIODIC_TASKS


def test_no_on_the_page_reopens_the_case_with_the_comment_as_the_residents_message(world, client):
    case = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    make_due(case)
    tasks.send_due_fix_checks.call()
    check = FixCheck.objects.get(case=case)
    answer = client.post(f"/fixed/{check.token}/", {"fixed": "no", "comment": "The hole opened up again."})
    assert answer.status_code == 200 and "We reopened your request" in answer.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.resolved_at is None
    [*_, said] = inbound(case)
    assert said.body_text == "The hole opened up again." and said.contact == case.contact
    reopened = AuditEntry.objects.get(case=case, action=AuditAction.REOPENED)
    assert reopened.reason == "The resident said the problem is not fixed."
    answered = AuditEntry.objects.get(case=case, action=AuditAction.FIX_CHECK_ANSWERED)
    assert answered.after["fixed"] is False and answered.reason == "The hole opened up again."
    check.refresh_from_db()
    assert (check.status, check.fixed, check.answered_via) == (AskStatus.ANSWERED, False, AnsweredVia.WEB)


def test_yes_is_recorded_and_the_case_stays_resolved(world, client):
    case = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    make_due(case)
    tasks.send_due_fix_checks.call()
    check = FixCheck.objects.get(case=case)
    assert client.post(f"/fixed/{check.token}/", {"fixed": "yes"}).status_code == 200
    case.refresh_from_db()
    check.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and check.fixed is True
    assert client.post(f"/fixed/{check.token}/", {"fixed": "no"}).status_code == 409  # the link works once
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_case_reopened_before_the_question_is_due_waits_for_its_next_resolution(world):
    case = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    make_due(case)
    change_status(Case.objects.get(pk=case.pk), actor=world.works_agent, status=CaseStatus.IN_PROGRESS)
    assert tasks.send_due_fix_checks.call() == 0
    assert FixCheck.objects.get(case=case).status == AskStatus.WAITING
    case = resolve(case, world.works_agent)
    check = FixCheck.objects.get(case=case)
    assert check.status == AskStatus.SCHEDULED and check.due_at > timezone.now()


def test_with_fix_check_days_zero_nobody_is_asked(world, settings):
    settings.FIX_CHECK_DAYS = 0
    case = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    assert not FixCheck.objects.filter(case=case).exists()


def test_by_sms_no_reopens_the_case_and_the_text_lands_on_it_even_after_weeks_of_silence(world, account, sms_case):
    case = resolve(sms_case, world.works_agent)
    make_due(case)
    tasks.send_due_fix_checks.call()
    check = FixCheck.objects.get(case=case)
    assert check.channel == "sms" and "Reply YES or NO" in check.message.body_text
    Message.objects.filter(case=case, direction=Direction.INBOUND).update(
        created_at=timezone.now() - timedelta(days=40))
    case.conversations.update(last_inbound_at=timezone.now() - timedelta(days=40))  # silent for weeks
    cases_before = Case.objects.count()
    result = reply_text("No, the hole is back", account)
    assert Case.objects.count() == cases_before and result.case == case  # no new case: onto this one
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert inbound(case)[-1].body_text == "No, the hole is back"
    check.refresh_from_db()
    assert (check.fixed, check.comment, check.answered_via) == (False, "the hole is back", AnsweredVia.SMS)


def test_by_sms_yes_is_taken_as_the_answer_not_as_the_start_keyword_and_not_as_a_message(world, account, sms_case):
    case = resolve(sms_case, world.works_agent)
    make_due(case)
    tasks.send_due_fix_checks.call()
    before = len(inbound(case)), len(outbound(case))
    result = reply_text("Sí", account)
    assert result.case is None and (len(inbound(case)), len(outbound(case))) == before
    check = FixCheck.objects.get(case=case)
    assert check.fixed is True
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_yes_from_a_number_not_asked_goes_through_as_before(world, account, sms_case):
    resolve(sms_case, world.works_agent)  # the survey went out; no "Is it fixed?" question yet
    assert reply_text("YES", account).message is not None  # as before: a message (START only for a stopped number)
    assert FixCheck.objects.get(case=sms_case).status == AskStatus.SCHEDULED
