"""The survey: once per resolved case, on the channel the resident used, in their language, never to a resident who
opted out; an SMS reply of 1-5 is the score and not a case message; csat_by counts what was sent and answered."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.actions import change_status, merge_cases
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.contacts.models import Identity
from civicdesk.conversations.consent import set_consent
from civicdesk.core.jobs import AFTER_RESOLUTION
from civicdesk.satisfaction import actions
from civicdesk.satisfaction.models import AnsweredVia, AskStatus, SkipReason, Survey
from civicdesk.satisfaction.queries import csat_by
from civicdesk.satisfaction.tests.conftest import inbound, outbound, reply_text, resolve
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def test_an_email_case_gets_one_survey_by_email_with_a_link_as_an_automatic_message(world):
    case = create_case(email="rosa@example.com", agency_slug="public-works", subject="Streetlight out")
    case = resolve(case, world.works_agent)
    survey = Survey.objects.get(case=case)
    assert (survey.status, survey.channel, survey.recipient) == (AskStatus.SENT, "email", "rosa@example.com")
    [*_, message] = outbound(case)
    assert message == survey.message and message.is_automatic and message.channel == "email"
    assert f"https://311.riverbend.example/survey/{survey.token}/" in message.body_text
    assert f"/surveys/stop/{survey.token}/" in message.body_text  # the way out of surveys
    assert "has been resolved" in message.body_text and case.number in message.subject
    case.refresh_from_db()
    assert case.first_response_at is None  # automatic: never a response
    assert AuditEntry.objects.filter(case=case, action=AuditAction.SURVEY).count() == 1


def test_a_case_resolved_again_after_a_reopen_is_never_asked_twice(world):
    case = create_case(email="rosa@example.com", agency_slug="public-works")
    resolve(case, world.works_agent)
    change_status(Case.objects.get(pk=case.pk), actor=world.works_agent, status=CaseStatus.OPEN)
    resolve(case, world.works_agent)
    change_status(Case.objects.get(pk=case.pk), actor=world.works_agent, status=CaseStatus.CLOSED)
    actions.after_resolution(case.pk)
    assert Survey.objects.filter(case=case).count() == 1
    assert len([m for m in outbound(case) if "/survey/" in m.body_text]) == 1


def test_the_unique_row_per_case_stops_a_second_worker(world):
    case = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    assert actions.send_survey(case) is None  # a second run finds the row
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(case=case, created_at=timezone.now())  # and the database refuses a second row


def test_resolving_queues_the_survey_job_and_reopening_or_a_merge_queues_nothing(world, monkeypatch):
    queued = []
    monkeypatch.setattr("civicdesk.satisfaction.triggers.enqueue_on_commit", lambda *args: queued.append(args))
    case = create_case(email="rosa@example.com", agency_slug="public-works")
    change_status(case, actor=world.works_agent, status=CaseStatus.RESOLVED)
    change_status(case, actor=world.works_agent, status=CaseStatus.OPEN)
    change_status(case, actor=world.works_agent, status=CaseStatus.IN_PROGRESS)
    other = create_case(email="rosa@example.com", agency_slug="public-works")
    merge_cases(other, case, actor=world.works_agent)
    assert queued == [(AFTER_RESOLUTION, case.pk)]


def test_an_sms_case_is_asked_by_text_and_a_reply_of_4_is_the_score_not_a_case_message(world, account, sms_case):
    case = resolve(sms_case, world.works_agent)
    survey = Survey.objects.get(case=case)
    assert (survey.channel, survey.recipient) == ("sms", "+12155550100")
    assert "Reply with a number from 1 (very poor) to 5 (excellent)" in survey.message.body_text
    messages_before = len(inbound(case))
    result = reply_text("4 - quick work, thanks!", account)
    assert result.case is None and len(inbound(case)) == messages_before  # not a message on the case
    survey.refresh_from_db()
    assert (survey.status, survey.score, survey.comment, survey.answered_via) == (
        AskStatus.ANSWERED, 4, "quick work, thanks!", AnsweredVia.SMS)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED  # a score does not reopen the case
    assert AuditEntry.objects.get(case=case, action=AuditAction.SURVEY_ANSWERED).after["score"] == 4


def test_a_text_that_is_not_a_score_goes_through_as_usual_and_a_later_score_is_still_taken(world, account, sms_case):
    case = resolve(sms_case, world.works_agent)
    result = reply_text("The hole is back again", account)
    assert result.message is not None and result.message.case == case
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN  # an ordinary message reopens the resolved case, as before
    assert Survey.objects.get(case=case).status == AskStatus.SENT
    assert reply_text("2", account).case is None
    assert Survey.objects.get(case=case).score == 2
    followed = reply_text("5", account)  # answered already: a later "5" is an ordinary message
    assert followed.message is not None and followed.message.body_text == "5"


@pytest.mark.parametrize("text", ["45", "4.5", "10", "0", "6", "Five", "3rd street light is out"])
def test_texts_that_only_look_like_scores_are_not_taken(world, account, sms_case, text):
    resolve(sms_case, world.works_agent)
    assert reply_text(text, account).message is not None
    assert Survey.objects.get(case=sms_case).status == AskStatus.SENT


def test_a_score_after_the_reply_window_is_an_ordinary_message(world, account, sms_case, settings):
    resolve(sms_case, world.works_agent)
    Survey.objects.filter(case=sms_case).update(sent_at=timezone.now() - timedelta(
        days=settings.SURVEY_SMS_REPLY_DAYS, minutes=1))
    assert reply_text("5", account).message is not None
    assert Survey.objects.get(case=sms_case).score is None


def test_a_resident_who_texted_stop_is_never_asked(world, account, sms_case):
    assert reply_text("STOP", account).case is None
    case = resolve(sms_case, world.works_agent)
    survey = Survey.objects.get(case=case)
    assert (survey.status, survey.skip_reason, survey.message) == (AskStatus.SKIPPED, SkipReason.OPTED_OUT, None)
    assert not [m for m in outbound(case) if "How did we do" in m.body_text]


def test_an_email_address_opted_out_channel_wide_is_never_asked(world):
    case = create_case(email="rosa@example.com", agency_slug="public-works")
    Identity.objects.filter(value="rosa@example.com").update(opted_out_at=timezone.now())
    survey = Survey.objects.get(case=resolve(case, world.works_agent))
    assert (survey.status, survey.skip_reason) == (AskStatus.SKIPPED, SkipReason.OPTED_OUT)


def test_a_resident_who_stopped_surveys_is_asked_on_no_later_case(world):
    first = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    assert actions.stop_surveys(first.contact)
    second = resolve(create_case(email="rosa@example.com", agency_slug="public-works"), world.works_agent)
    assert Survey.objects.get(case=second).skip_reason == SkipReason.NO_SURVEYS
    assert not [m for m in outbound(second) if "/survey/" in m.body_text]


def test_a_number_opted_out_after_the_survey_keeps_stop_and_start_as_keywords(world, account, sms_case):
    case = resolve(sms_case, world.works_agent)
    identity = Identity.objects.get(value="+12155550100")
    set_consent(identity, account, opted_out=True, source="test")
    assert reply_text("3", account).message is not None  # not taken as a score from a number that opted out
    assert Survey.objects.get(case=case).status == AskStatus.SENT


def test_a_spanish_speaking_resident_is_asked_in_spanish(world):
    case = create_case(email="lucia@example.com", agency_slug="public-works", language="es")
    case = resolve(case, world.works_agent)
    survey = Survey.objects.get(case=case)
    assert survey.language == "es"
    assert "Su solicitud" in survey.message.body_text and "¿Cómo lo hicimos?" in survey.message.body_text


def test_a_web_case_without_email_is_asked_on_its_status_page(world):
    case = create_case(email="", agency_slug="public-works")
    survey = Survey.objects.get(case=resolve(case, world.works_agent))
    assert (survey.channel, survey.recipient) == ("web", "")
    assert f"/survey/{survey.token}/" in survey.message.body_text


def test_a_public_social_post_is_never_asked(world):
    case = create_case(channel="x", email="", agency_slug="public-works")
    survey = Survey.objects.get(case=resolve(case, world.works_agent))
    assert (survey.status, survey.skip_reason) == (AskStatus.SKIPPED, SkipReason.NO_CHANNEL)


def test_csat_by_counts_surveys_sent_in_the_range_and_the_share_of_4_and_5(world):
    cases = [resolve(create_case(email=f"r{n}@example.com", agency_slug="public-works"), world.works_agent)
             for n in range(4)]
    parks = resolve(create_case(email="p@example.com", agency_slug="parks"), world.works_agent)
    for case, score in zip(cases[:3], [5, 4, 2], strict=True):
        actions.answer_survey(Survey.objects.get(case=case), score=score)
    now = timezone.now()
    figures = csat_by(Case.objects.all(), "agency_id", now - timedelta(hours=1), now + timedelta(hours=1))
    assert figures == {world.works.pk: (4, 3, 66.7), parks.agency_id: (1, 0, None)}
    assert csat_by(Case.objects.all(), "channel", now + timedelta(hours=1), now + timedelta(hours=2)) == {}
    assert csat_by(Case.objects.filter(pk=cases[0].pk), "agency_id", now - timedelta(hours=1),
                   now + timedelta(hours=1)) == {world.works.pk: (1, 1, 100.0)}
