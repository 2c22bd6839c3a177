"""Settings decide what is made and mailed: email only when away (or always), once, plain, with no resident data."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases import actions
from civicdesk.mail.models import CapturedEmail
from civicdesk.notifications import actions as notification_actions
from civicdesk.notifications.models import Delivery, DeskPresence, EmailState, Notification, NotificationKind
from civicdesk.notifications.tasks import send_notification_email
from civicdesk.notifications.tests.helpers import notes_for, resident_writes
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return create_case(channel="email", service=world.pothole, email="rosa.tester@example.com",
                       subject="Rosa's pothole at 100 Main St", body="My phone is 215-555-0100.")


def assign(world, case, capture):
    with capture(execute=True):
        actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)


def at_desk(user, minutes_ago: int = 0) -> None:
    DeskPresence.objects.update_or_create(user=user, defaults={
        "last_seen_at": timezone.now() - timedelta(minutes=minutes_ago)})


def test_an_agent_away_from_the_desk_gets_one_plain_email_with_a_link_to_the_case(
        world, case, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://desk.riverbend.example"
    at_desk(world.works_agent, minutes_ago=11)  # NOTIFY_AWAY_AFTER_MINUTES is 10
    assign(world, case, django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == ["wanda@staff.example"]
    assert mail.subject == f"[{settings.SITE_NAME}] {case.number} was assigned to you"
    assert mail.body.startswith(f"sup assigned {case.number} to you.\n\nService: Pothole\n")
    assert f"https://desk.riverbend.example/staff/cases/{case.number}/" in mail.body
    assert "https://desk.riverbend.example/staff/notifications/settings/" in mail.body
    for personal in ("Rosa", "rosa.tester", "100 Main", "215-555"):
        assert personal not in mail.body and personal not in mail.subject
    [note] = notes_for(world.works_agent)
    assert note.email_state == EmailState.SENT and note.emailed_at is not None


def test_an_agent_at_the_desk_gets_no_email_by_default(world, case, mailoutbox, django_capture_on_commit_callbacks):
    at_desk(world.works_agent, minutes_ago=2)
    assign(world, case, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    [note] = notes_for(world.works_agent)
    assert note.email_state == EmailState.AT_DESK


def test_email_always_is_sent_even_at_the_desk(world, case, mailoutbox, django_capture_on_commit_callbacks):
    notification_actions.save_settings(world.works_agent, {NotificationKind.ASSIGNED: Delivery.ALWAYS})
    at_desk(world.works_agent)
    assign(world, case, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_desk_only_makes_a_notification_without_email(world, case, mailoutbox, django_capture_on_commit_callbacks):
    notification_actions.save_settings(world.works_agent, {NotificationKind.ASSIGNED: Delivery.DESK})
    assign(world, case, django_capture_on_commit_callbacks)
    [note] = notes_for(world.works_agent)
    assert note.email_state == EmailState.NONE and mailoutbox == []


def test_off_makes_nothing_and_other_kinds_keep_their_own_setting(
        world, case, mailoutbox, django_capture_on_commit_callbacks):
    notification_actions.save_settings(world.works_agent, {NotificationKind.ASSIGNED: Delivery.OFF})
    assign(world, case, django_capture_on_commit_callbacks)
    assert notes_for(world.works_agent) == [] and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        resident_writes(case, "rosa.tester@example.com")
    [note] = notes_for(world.works_agent)
    assert note.kind == NotificationKind.REPLY and len(mailoutbox) == 1  # away: never seen at the desk
    assert "The resident replied on" in mailoutbox[0].body and "still there" not in mailoutbox[0].body


def test_a_repeated_email_job_sends_once(world, case, mailoutbox, django_capture_on_commit_callbacks):
    assign(world, case, django_capture_on_commit_callbacks)
    note = notes_for(world.works_agent)[0]
    assert send_notification_email.call(note.pk) == "nothing to send"
    assert len(mailoutbox) == 1


def test_without_a_mail_server_the_email_is_kept_in_the_outbox(
        world, case, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "civicdesk.mail.outbox.OutboxBackend"
    assign(world, case, django_capture_on_commit_callbacks)
    assert notes_for(world.works_agent)[0].email_state == EmailState.CAPTURED
    assert CapturedEmail.objects.get().subject.endswith(f"{case.number} was assigned to you")


def test_an_agent_without_an_address_gets_the_notification_but_no_email(
        world, case, mailoutbox, django_capture_on_commit_callbacks):
    world.works_agent.email = ""
    world.works_agent.save()
    assign(world, case, django_capture_on_commit_callbacks)
    assert notes_for(world.works_agent)[0].email_state == EmailState.NO_ADDRESS and mailoutbox == []


def test_a_mail_server_that_is_down_is_retried_later_and_no_address_reaches_the_log(
        world, case, settings, caplog, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with caplog.at_level(logging.DEBUG):
        assign(world, case, django_capture_on_commit_callbacks)
    note = Notification.objects.get()
    assert note.email_state == EmailState.PENDING and note.email_attempts == 1  # the immediate backend cannot defer
    assert "failed (attempt 1)" in caplog.text
    assert "@" not in caplog.text
