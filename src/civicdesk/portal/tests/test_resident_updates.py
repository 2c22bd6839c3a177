"""Issue 9 item 7: the resident's own status page takes a comment and photos through the one intake, and "this is
not fixed" reopens a finished request within REOPEN_WINDOW_DAYS; it says when, by whom and (later) how long."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from civicdesk.agencies.models import Team
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.actions import change_status, merge_cases
from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.channels.models import Channel, InboundPayload
from civicdesk.portal.tests.conftest import image_bytes
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"
TOKEN = "7a4c2b10-0d0e-4f5a-8b6c-1d2e3f4a5b6c"


@pytest.fixture
def resident(service, valid_data):
    """Ada's browser, which sent the request (so it may see and add to her status page), and her case."""
    browser = Client()
    browser.post(FORM_URL, valid_data)
    return browser, Case.objects.get()


def comment(browser, case, text="", photos=(), *, token=TOKEN, not_fixed=False):
    prefix = "notfixed" if not_fixed else "comment"
    path = f"/status/{case.public_id}/{'not-fixed' if not_fixed else 'comment'}/"
    return browser.post(path, {f"{prefix}-form_token": token, f"{prefix}-text": text, f"{prefix}-photos": list(photos)})


def finish(case, status, *, days_ago=0):
    change_status(case, actor=None, status=status)
    when = timezone.now() - timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(resolved_at=when, closed_at=when if status == CaseStatus.CLOSED else None)
    case.refresh_from_db()


def test_a_comment_with_a_photo_lands_on_the_timeline_as_the_residents_inbound_message(resident):
    browser, case = resident
    response = comment(browser, case, "The hole is twice as big now.", [SimpleUploadedFile("x.png",
                                                                                         image_bytes("PNG"))])
    assert response.status_code == 302 and response.url == f"/status/{case.public_id}/"
    message = Message.objects.get(case=case, direction=Direction.INBOUND, body_text="The hole is twice as big now.")
    assert message.contact_id == case.contact_id and message.channel == Channel.WEB and not message.is_public
    assert message.attachments.get().content_type == "image/png"
    assert InboundPayload.objects.filter(channel=Channel.WEB, provider_message_id=TOKEN, message=message).exists()
    html = browser.get(response.url).content.decode()
    assert "Thank you: your comment was added" in html and "The hole is twice as big now." in html
    assert "You wrote" in html
    again = comment(browser, case, "The hole is twice as big now.")  # a double submit: the same form token
    assert again.status_code == 302
    assert Message.objects.filter(case=case, body_text="The hole is twice as big now.").count() == 1


def test_a_comment_needs_text_or_a_photo_and_photos_are_checked_like_the_request_forms(resident):
    browser, case = resident
    empty = comment(browser, case, "   ")
    assert empty.status_code == 400 and "Write a comment or choose a photo to send." in empty.content.decode()
    fake = comment(browser, case, "see photo", [SimpleUploadedFile("evil.png", b"MZ\x90\x00 not an image")])
    assert fake.status_code == 400 and "is not a JPEG, PNG, GIF, WebP or HEIC image" in fake.content.decode()
    assert "see photo" in fake.content.decode()  # what was typed is kept
    assert not Message.objects.filter(case=case, body_text="see photo").exists()


def test_someone_who_has_not_proved_the_request_is_theirs_cannot_add_to_it(resident):
    _browser, case = resident
    stranger = comment(Client(), case, "I am not Ada.")
    assert stranger.status_code == 403 and "Nothing was sent" in stranger.content.decode()
    assert not Message.objects.filter(body_text="I am not Ada.").exists()
    assert comment(Client(), case, "x", not_fixed=True).status_code == 403
    assert Client().get(f"/status/{case.public_id}/comment/").status_code == 405


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_not_fixed_reopens_a_finished_request_within_the_window_and_staff_see_why(resident, status):
    browser, case = resident
    finish(case, status, days_ago=10)
    page = browser.get(f"/status/{case.public_id}/").content.decode()
    assert "Is the problem not fixed?" in page and "Add a comment or photo" not in page
    response = comment(browser, case, "Still there after the rain.", not_fixed=True)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.resolved_at is None and case.closed_at is None
    assert Case.objects.count() == 1  # reopened, not a follow-up case
    reopened = AuditEntry.objects.get(case=case, action=AuditAction.REOPENED)
    assert reopened.actor_label == "resident" and "not fixed" in reopened.reason
    assert Message.objects.filter(case=case, direction=Direction.INBOUND, body_text="Still there after the rain.",
                                  contact=case.contact).exists()
    assert "Thank you: the request is open again" in browser.get(response.url).content.decode()
    agent = create_staff("agent", agencies=[case.agency])
    staff = Client()
    staff.force_login(agent)
    timeline = staff.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Reopened" in timeline and "The resident said the problem is not fixed." in timeline
    assert "Still there after the rain." in timeline


def test_not_fixed_without_words_still_says_so_on_the_timeline(resident):
    browser, case = resident
    finish(case, CaseStatus.RESOLVED)
    assert comment(browser, case, "", not_fixed=True).status_code == 302
    assert Message.objects.filter(case=case, direction=Direction.INBOUND, body_text="This is not fixed.").exists()


def test_after_the_window_not_fixed_is_refused_and_changes_nothing(resident, settings):
    settings.REOPEN_WINDOW_DAYS = 7
    browser, case = resident
    finish(case, CaseStatus.CLOSED, days_ago=8)
    page = browser.get(f"/status/{case.public_id}/").content.decode()
    assert "finished too long ago to reopen" in page and "This is not fixed" not in page
    refused = comment(browser, case, "Still broken.", not_fixed=True)
    assert refused.status_code == 409 and "more than 7 days ago" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and not Message.objects.filter(body_text="Still broken.").exists()


def test_a_plain_comment_on_a_finished_request_is_refused_rather_than_lost(resident):
    browser, case = resident
    finish(case, CaseStatus.CLOSED)
    refused = comment(browser, case, "Hello?")
    assert refused.status_code == 409 and "say it is not fixed instead" in refused.content.decode()
    assert Case.objects.count() == 1 and not Message.objects.filter(body_text="Hello?").exists()


def test_the_status_page_says_when_it_was_received_and_who_handles_it_and_promises_no_time_yet(resident):
    browser, case = resident
    team = Team.objects.create(agency=case.agency, name="Streets crew")
    Case.objects.filter(pk=case.pk).update(team=team)
    html = browser.get(f"/status/{case.public_id}/").content.decode()
    assert "Received" in html and f'<time datetime="{case.created_at.isoformat()}"' in html
    assert "Streets crew, Public Works" in html
    assert "Expected" not in html  # issue 13 fills the expected_time hook; nothing misleading before


def test_a_merged_requests_resident_comments_into_the_survivor_and_the_survivors_resident_never_sees_it(
        resident, service, valid_data):
    browser, duplicate = resident
    bob = Client()
    bob.post(FORM_URL, {**valid_data, "form_token": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a", "email": "bob@example.com",
                        "first_name": "Bob", "phone": ""})
    survivor = Case.objects.exclude(pk=duplicate.pk).get()
    merge_cases(duplicate, survivor, actor=None)
    assert comment(browser, duplicate, "Ada adds: it is deeper.").status_code == 302
    message = Message.objects.get(body_text="Ada adds: it is deeper.")
    assert message.case_id == survivor.pk and message.contact_id == duplicate.contact_id
    assert "Ada adds: it is deeper." in browser.get(f"/status/{duplicate.public_id}/").content.decode()
    assert "Ada adds" not in bob.get(f"/status/{survivor.public_id}/").content.decode()
    assert "Ada adds" not in Client().get(f"/requests/{survivor.public_id}/").content.decode()
