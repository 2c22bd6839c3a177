"""Issue #7 item 1: a merged case's resident sees their own messages and public updates, never the survivor's
resident's words, photos, confirmation or private replies; visiting the merged case never unlocks the survivor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicdesk.cases.actions import merge_cases
from civicdesk.cases.models import Case
from civicdesk.portal.tests.conftest import image_bytes
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"
SURVIVOR_WORDS = "Words of Bob: my kid fell in it outside number 41."
DUPLICATE_WORDS = "Words of Ada: the hole by the bakery is getting deeper."


def reply_as(agent, case, text, *, audience):
    """A staff reply through the real reply box (the audience field is ignored by code that has none)."""
    client = Client()
    client.force_login(agent)
    response = client.post(f"/staff/cases/{case.number}/reply/", {"text": text, "audience": audience})
    assert response.status_code == 302, response.content.decode()[:2000]


def look_up(client, case, email):
    """What a resident does: the lookup form with number and email, then the page it redirects to."""
    found = client.post("/status/", {"number": case.number, "email": email})
    assert found.status_code == 302
    page = client.get(found.url)
    assert page.status_code == 200
    return found.url, page.content.decode()


def status_path(case):
    return f"/status/{getattr(case, 'public_id', None) or case.number}/"


@pytest.fixture
def merged(service, valid_data, django_capture_on_commit_callbacks):
    """Bob reports a pothole with a photo, Ada the same one; staff reply to each, then merge Ada's into Bob's."""
    bob, ada = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        bob.post(FORM_URL, {**valid_data, "form_token": "11111111-1111-4111-8111-111111111111",
                            "first_name": "Bob", "last_name": "Builder", "email": "bob@example.com",
                            "phone": "(301) 456-2222",
                            "description": SURVIVOR_WORDS,
                            "photos": [SimpleUploadedFile("b.png", image_bytes("PNG"))]})
        ada.post(FORM_URL, {**valid_data, "form_token": "22222222-2222-4222-8222-222222222222",
                            "description": DUPLICATE_WORDS})
    survivor = Case.objects.get(contact__identities__value="bob@example.com")
    duplicate = Case.objects.get(contact__identities__value="ada@example.com")
    agent = create_staff("agent", agencies=[service.agency])
    with django_capture_on_commit_callbacks(execute=True):
        reply_as(agent, survivor, "Private to Bob: we will call you at 202-456-1111.", audience="private")
        reply_as(agent, duplicate, "Private to Ada: thanks for the landmark.", audience="private")
        reply_as(agent, survivor, "Public: a crew fills this pothole on Tuesday.", audience="public")
        merge_cases(duplicate, survivor, actor=agent)
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    return {"survivor": survivor, "duplicate": duplicate, "photo": survivor.messages.filter(
        direction="in", contact=survivor.contact).get().attachments.get()}


def test_a_merged_cases_resident_never_sees_the_survivors_residents_words_photo_or_replies(merged):
    _url, html = look_up(Client(), merged["duplicate"], "ada@example.com")
    assert SURVIVOR_WORDS not in html
    assert "Private to Bob" not in html and "202-456-1111" not in html
    assert "Bob" not in html and "bob@example.com" not in html
    assert f"photos/{merged['photo'].pk}/" not in html
    assert f"gave it the number {merged['survivor'].number}" not in html  # not Bob's confirmation
    assert f"gave it the number {merged['duplicate'].number}" in html  # Ada's own


def test_visiting_a_merged_case_never_unlocks_the_survivor(merged):
    ada = Client()
    look_up(ada, merged["duplicate"], "ada@example.com")
    survivor_page = ada.get(status_path(merged["survivor"]))
    html = survivor_page.content.decode() if survivor_page.status_code == 200 else ""
    assert SURVIVOR_WORDS not in html and "Private to Bob" not in html and "You wrote" not in html
    photo = ada.get(f"{status_path(merged['survivor'])}photos/{merged['photo'].pk}/")
    assert photo.status_code == 404


def test_a_merged_case_shows_its_own_messages_the_combined_note_and_the_survivors_public_updates(merged):
    _url, html = look_up(Client(), merged["duplicate"], "ada@example.com")
    assert "Your request was combined with another request about the same problem" in html
    assert DUPLICATE_WORDS in html  # what Ada told us
    assert "Private to Ada: thanks for the landmark." in html
    assert "Public: a crew fills this pothole on Tuesday." in html


def test_the_survivors_resident_does_not_see_the_merged_residents_words_either(merged):
    _url, html = look_up(Client(), merged["survivor"], "bob@example.com")
    assert SURVIVOR_WORDS in html and "Private to Bob" in html
    assert DUPLICATE_WORDS not in html and "Private to Ada" not in html
