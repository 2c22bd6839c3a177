"""Issue #10 item 7: one composer for replies and internal notes, its destination in plain words, files, a preview."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases.models import Attachment, Direction, Message
from civicdesk.contacts.actions import resolve_contact, update_contact
from civicdesk.conversations.outbound import outbound_for
from civicdesk.mail.outbound import build_email
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def case(world):
    case = create_case(service=world.pothole, email="rosa@example.com", subject="Hole", body="A hole.")
    update_contact(case.contact, actor=None, display_name="Rosa Tester")
    return case


def composer(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<form[^>]+id="reply-form".*?</form>', html, re.S).group(0))


def test_the_composer_has_the_reply_and_internal_note_modes_with_reply_chosen(works_client, case):
    form = composer(works_client.get(f"/staff/cases/{case.number}/").content.decode())
    assert re.search(r'<input[^>]+name="mode"[^>]+value="reply" checked', form)
    assert re.search(r'<input[^>]+name="mode"[^>]+value="note"(?! checked)', form)
    assert "Reply to resident" in form and "Internal note (staff only)" in form
    assert ">Send reply</button>" in form and ">Add internal note</button>" in form and ">Preview</button>" in form
    assert 'id="note-form"' not in works_client.get(f"/staff/cases/{case.number}/").content.decode()


def test_the_composer_says_where_a_reply_goes_in_plain_words(works_client, case):
    form = composer(works_client.get(f"/staff/cases/{case.number}/").content.decode())
    assert "Emailed to Rosa Tester &lt;rosa@example.com&gt;" in form
    assert "Public update on the status page, the map and Open311" in form


def test_picking_the_residents_phone_says_sms_to_the_number(works_client, case):
    resolve_contact([("email", "rosa@example.com"), ("phone", "+12155550100")])
    phone = case.contact.identities.get(kind="phone")
    html = works_client.get(f"/staff/cases/{case.number}/reply/destination/", {"send_to": phone.pk}).content.decode()
    assert "SMS to +1 215-555-0100" in html
    assert f'hx-get="/staff/cases/{case.number}/reply/destination/"' in composer(
        works_client.get(f"/staff/cases/{case.number}/").content.decode())


def test_a_web_case_without_an_address_answers_on_the_status_page(works_client, world):
    case = create_case(service=world.pothole, email="", subject="Anonymous", body="Hole")
    form = composer(works_client.get(f"/staff/cases/{case.number}/").content.decode())
    assert "Shown only to the resident, on their own status page" in form
    assert "This reply cannot carry files" in form


def test_an_internal_note_from_the_composer_is_a_note_and_nothing_goes_out(works_client, world, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/",
                                 {"mode": "note", "text": "Called her back.", "audience": "public"})
    assert response.status_code == 302
    note = case.messages.get(direction=Direction.NOTE)
    assert note.body_text == "Called her back." and note.author == world.works_agent and not note.is_public
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()


def test_the_note_button_makes_a_note_whatever_mode_was_left_checked(works_client, case):
    works_client.post(f"/staff/cases/{case.number}/reply/", {"mode": "reply", "send_as": "note", "text": "Mine."})
    assert case.messages.filter(direction=Direction.NOTE, body_text="Mine.").exists()
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()


def test_without_javascript_sending_comes_back_to_the_timeline(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "On our list."})
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.number}/#timeline"
    page = works_client.get(response["Location"]).content.decode()
    assert 'id="timeline"' in page and "Reply queued for delivery." in page


def test_with_htmx_sending_swaps_the_timeline_and_resets_the_composer(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "A crew is coming."}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<form") and 'id="reply-form"' in html
    assert re.search(r'<textarea[^>]+data-cd-composer-text>\s*</textarea>', html), "the composer is empty again"
    timeline = re.search(r'<div id="case-timeline" hx-swap-oob="true">.*?</ol>', html, re.S).group(0)
    assert "A crew is coming." in timeline
    assert 'id="composer-status" hx-swap-oob="innerHTML"' in html and "Reply queued for delivery." in html
    assert 'id="case-poller"' in html and 'hx-swap-oob="true"' in html


def test_with_htmx_a_refused_send_keeps_the_text_and_says_why(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "   ", "mode": "reply"}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html and 'aria-invalid="true"' in html
    response = works_client.post(f"/staff/cases/{case.number}/reply/",
                                 {"text": "Keep me", "audience": "everyone"}, **HTMX)
    assert response.status_code == 400 and "Keep me" in response.content.decode()


def test_a_private_email_reply_carries_its_files_to_the_resident(works_client, case):
    files = [SimpleUploadedFile("crew schedule.pdf", b"%PDF-1.4 schedule", content_type="application/pdf"),
             SimpleUploadedFile("../photo.png", PNG, content_type="text/html")]
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "See attached.", "attachments": files})
    assert response.status_code == 302
    reply = case.messages.get(direction=Direction.OUTBOUND, is_automatic=False)
    stored = sorted(reply.attachments.values_list("filename", "content_type", "size"))
    assert stored == [("crew schedule.pdf", "application/pdf", 17), ("photo.png", "image/png", len(PNG))]
    mail = build_email(outbound_for(reply))
    sent = {name: (content, kind) for name, content, kind in mail.attachments}
    assert sent["photo.png"] == (PNG, "image/png") and sent["crew schedule.pdf"][1] == "application/pdf"
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "crew schedule.pdf" in page and f"/staff/attachments/{reply.attachments.first().pk}/" in page


def test_files_are_refused_on_a_public_update_and_nothing_is_sent(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {
        "text": "Public with a file.", "audience": "public",
        "attachments": [SimpleUploadedFile("a.txt", b"x", content_type="text/plain")]})
    assert response.status_code == 400
    assert "not with this reply" in response.content.decode()
    assert not Message.objects.filter(visible_text="Public with a file.").exists()


def test_an_internal_note_keeps_its_files_for_staff(works_client, case):
    works_client.post(f"/staff/cases/{case.number}/reply/", {
        "mode": "note", "text": "Site photo.", "attachments": [SimpleUploadedFile("site.png", PNG)]})
    note = case.messages.get(direction=Direction.NOTE)
    assert list(note.attachments.values_list("filename", flat=True)) == ["site.png"]


def test_too_many_or_too_large_files_are_a_clear_400(works_client, case, settings):
    many = [SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(11)]
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Many", "attachments": many})
    assert response.status_code == 400 and "at most 10 files" in response.content.decode()
    settings.MAX_ATTACHMENTS_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Big", "attachments": [big]})
    assert response.status_code == 400 and "more than 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_preview_shows_exactly_what_the_sending_code_makes_and_stores_nothing(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/preview/",
                                 {"text": "We fill it on Monday.", "audience": "private"}, **HTMX)
    html = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 200
    assert "Preview: what the resident receives" in html and "Nothing was sent." in html
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()
    works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "We fill it on Monday.", "audience": "private"})
    sent = case.messages.get(direction=Direction.OUTBOUND, is_automatic=False)
    mail = build_email(outbound_for(sent))
    assert f"<dd>{mail.subject}</dd>" in html.replace("&#x27;", "'")
    assert "<dd>rosa@example.com</dd>" in html and sent.body_text in html
    assert re.search(r"<dt>From</dt><dd>[^<]+</dd>", html)


def test_an_sms_preview_says_when_the_text_is_cut_to_the_channels_limit(works_client, case):
    resolve_contact([("email", "rosa@example.com"), ("phone", "+12155550100")])
    phone = case.contact.identities.get(kind="phone")
    response = works_client.post(f"/staff/cases/{case.number}/reply/preview/",
                                 {"text": "word " * 400, "send_to": phone.pk}, **HTMX)
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "SMS to +1 215-555-0100" in html and "shortened to the channel's limit of 1600 characters" in html


def test_a_preview_of_an_empty_reply_says_what_is_missing(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/preview/", {"text": ""}, **HTMX)
    assert response.status_code == 400 and "Cannot preview yet." in response.content.decode()


def test_without_javascript_the_preview_shows_on_the_case_page(works_client, case):
    response = works_client.post(f"/staff/cases/{case.number}/reply/preview/", {"text": "Draft words"})
    html = response.content.decode()
    assert response.status_code == 200 and "Preview: what the resident receives" in html and "Draft words" in html


def test_only_staff_who_may_act_can_send_or_preview(parks_client, case):
    for path in ("reply/", "note/", "reply/preview/"):
        assert parks_client.post(f"/staff/cases/{case.number}/{path}", {"text": "x"}).status_code == 404
    assert parks_client.get(f"/staff/cases/{case.number}/reply/destination/").status_code == 404
