"""Issue 9 item 6: public request pages show the service, status, public updates, an approximate place and approved
photos, and nothing personal; merged requests point to their survivor; unverified status links land here."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.actions import add_note, merge_cases, publish_photo
from civicdesk.cases.models import Attachment, Case
from civicdesk.cases.public import public_status_label
from civicdesk.conversations.replies import reply
from civicdesk.gis.public import approximate_point
from civicdesk.portal.tests.conftest import image_bytes
from civicdesk.testing.factories import create_case, create_staff

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"
LAT, LON = 40.001234, -75.000777


@pytest.fixture
def submitted(service, valid_data, django_capture_on_commit_callbacks):
    """Ada's request with a photo, at an exact point, and an agent's public update, private reply and note."""
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(FORM_URL, {**valid_data, "lat": str(LAT), "lon": str(LON),
                                "photos": [SimpleUploadedFile("hole.png", image_bytes("PNG"))]})
    case = Case.objects.get()
    agent = create_staff("agent", agencies=[service.agency])
    with django_capture_on_commit_callbacks(execute=True):
        reply(case, author=agent, text="Public: a crew fills it on Tuesday.", public=True)
        reply(case, author=agent, text="Private: we will call you at 202-456-1111.")
        add_note(case, author=agent, text="Internal: the resident sounded upset.")
    return {"case": case, "agent": agent, "photo": Attachment.objects.get()}


def page_of(case, client=None):
    response = (client or Client()).get(f"/requests/{case.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_page_shows_service_status_and_public_updates_and_nothing_personal(submitted):
    case = submitted["case"]
    case.refresh_from_db()
    html = page_of(case)
    assert "Pothole" in html and public_status_label(case.status) in html and "Public Works" in html
    assert "Public: a crew fills it on Tuesday." in html
    for private in ("Private: we will call", "Internal:", "Ada", "Lovelace", "ada@example.com", "456-1111",
                    "12 Main St", "A deep pothole."):  # the description too: this service keeps it private
        assert private not in html, private
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">\w', html)  # "2 minutes ago", with the full date


def test_a_service_that_publishes_descriptions_shows_it_on_the_public_page(submitted, service):
    service.publish_description = True
    service.save()
    assert "A deep pothole." in page_of(submitted["case"])


def test_a_photo_shows_on_the_public_page_only_after_staff_approve_it(submitted):
    case, photo = submitted["case"], submitted["photo"]
    url = f"/requests/{case.public_id}/photos/{photo.pk}/"
    assert url not in page_of(case) and Client().get(url).status_code == 404
    publish_photo(photo, actor=submitted["agent"], published=True)
    assert url in page_of(case)
    image = Client().get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(case=case, action=AuditAction.FIELD_CHANGED, actor=submitted["agent"],
                                     after__photo_public=True).exists()
    publish_photo(photo, actor=submitted["agent"], published=False)
    assert url not in page_of(case) and Client().get(url).status_code == 404


def test_the_page_and_the_map_show_the_same_approximate_point_never_the_exact_one(submitted, client):
    case = submitted["case"]
    lat, lon = approximate_point(LAT, LON)
    assert (lat, lon) != (LAT, LON) and abs(lat - LAT) < 0.0003 and abs(lon - LON) < 0.0003
    html = page_of(case)
    assert f'data-lat="{lat:f}"' in html and f'data-lon="{lon:f}"' in html
    assert str(LAT) not in html and str(LON) not in html
    [feature] = client.get("/gis/cases.geojson").json()["features"]
    assert feature["geometry"]["coordinates"] == [lon, lat]
    assert feature["properties"]["url"] == f"/requests/{case.public_id}/"


def test_a_merged_request_points_to_its_survivor_without_showing_its_words(submitted, service):
    survivor = submitted["case"]
    duplicate = create_case(service=service, email="bob@example.com", body="Bob's words about his house.",
                            lat=LAT, lon=LON)
    merge_cases(duplicate, survivor, actor=submitted["agent"])
    html = page_of(duplicate)
    assert "This request was combined with another request about the same problem" in html
    assert f'href="/requests/{survivor.public_id}/"' in html
    assert "Bob" not in html and "bob@example.com" not in html and "Public: a crew" not in html
    assert "Is this your problem too?" not in html  # follow the survivor instead
    assert "Bob&#x27;s words" not in page_of(survivor) and "Bob's words" not in page_of(survivor)


def test_a_visitor_who_has_not_proved_the_request_is_theirs_is_sent_to_the_public_page(submitted):
    case = submitted["case"]
    response = Client().get(f"/status/{case.public_id}/")
    assert response.status_code == 302 and response.url == f"/requests/{case.public_id}/"
    assert Client().get("/requests/no-such-request/").status_code == 404
    assert Client().get(f"/requests/{case.number}/").status_code == 404  # the number is no public id


def test_the_resident_sees_a_link_to_their_own_status_page_on_the_public_page(submitted, service, valid_data):
    mine = Client()
    mine.post(FORM_URL, {**valid_data, "form_token": "5d1c1f9e-1111-4aaa-9bbb-123456789abc"})
    case = Case.objects.exclude(pk=submitted["case"].pk).get()
    assert f'href="/status/{case.public_id}/"' in page_of(case, mine)
    assert f'href="/status/{case.public_id}/"' not in page_of(case)
