"""Portal pages: browsing, the request form per datatype, validation of bad input, submission and status."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicdesk.cases.actions import add_note
from civicdesk.cases.models import Case, Direction
from civicdesk.channels.models import InboundPayload
from civicdesk.conversations.replies import reply
from civicdesk.portal.adapter import WebAdapter
from civicdesk.portal.tests.conftest import image_bytes
from civicdesk.testing.factories import create_agency, create_service, create_staff

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"


def post(client, data, files=None):
    return client.post(FORM_URL, {**data, **(files or {})})


def test_home_and_list_group_services_by_topic_with_flat_queries(client, service, django_assert_max_num_queries):
    parks = create_agency("parks", "Parks Department")
    for n in range(5):
        create_service(parks, f"tree-{n}", name=f"Tree problem {n}", group="Parks and trees")
    with django_assert_max_num_queries(3):
        page = client.get("/services/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="streets"' in html and 'id="parks-and-trees"' in html
    assert "Pothole" in html and "Parks Department" in html
    home = client.get("/")
    assert "Browse by topic" in home.content.decode() and "Check a request" in home.content.decode()


def test_search_matches_name_description_and_keywords(client, service):
    create_service(service.agency, "graffiti", name="Graffiti", group="Clean city", keywords="paint, tag")
    assert "Pothole" in client.get("/services/", {"q": "road"}).content.decode()
    result = client.get("/services/", {"q": "paint"}).content.decode()
    assert "Graffiti" in result and "Pothole" not in result
    assert "No services match" in client.get("/services/", {"q": "zzz"}).content.decode()


def test_agencies_list_their_services(client, service, django_assert_max_num_queries):
    create_agency("empty-agency", "Agency Without Services")
    with django_assert_max_num_queries(4):
        html = client.get("/agencies/").content.decode()
    assert "Public Works" in html and "Pothole" in html and "Agency Without Services" not in html


def test_form_renders_each_datatype(client, service):
    html = client.get(FORM_URL).content.decode()
    assert 'type="radio" name="attr_size" value="large"' in html
    assert 'type="checkbox" name="attr_lanes" value="bike"' in html
    assert 'name="attr_depth" type="text"' in html and 'inputmode="decimal"' in html
    assert 'name="attr_seen_at" type="datetime-local"' in html
    assert 'name="attr_landmark" type="text"' in html
    assert '<textarea class="usa-textarea" id="id_attr_details"' in html
    assert "Emergencies: call 911." in html and 'name="attr_note"' not in html
    assert html.index("How big is it?") < html.index("Which lanes?") < html.index("Anything else?")
    assert 'id="nearby-duplicates" aria-live="polite"' in html
    assert 'name="form_token"' in html and "csrfmiddlewaretoken" in html
    assert "style=" not in html and "<script>" not in html


def test_long_value_list_renders_as_select(client, service):
    attribute = service.attributes.get(code="size")
    attribute.values = [{"key": f"k{n}", "name": f"Option {n}"} for n in range(10)]
    attribute.save()
    html = client.get(FORM_URL).content.decode()
    assert '<select class="usa-select" id="id_attr_size" name="attr_size"' in html


def test_successful_submission_creates_one_case_even_when_posted_twice(client, service, valid_data,
                                                                        django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("hole.jpg", image_bytes(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, valid_data, {"photos": [photo]})
    assert first.status_code == 302
    case = Case.objects.get()
    assert first.url == f"/requests/{case.public_id}/submitted/"
    second = post(client, valid_data)
    assert second.status_code == 302 and second.url == first.url
    assert Case.objects.count() == 1 and InboundPayload.objects.count() == 1
    assert case.channel == "web" and case.service == service and case.subject == "Pothole"
    assert case.description == "A deep pothole." and case.address == "12 Main St"
    assert case.attributes == {"size": "large", "lanes": ["left", "right"], "depth": 12.5,
                               "seen_at": case.attributes["seen_at"], "landmark": "Near the bakery",
                               "details": "It has been there a week."}
    assert case.attributes["seen_at"].startswith("2026-03-01T08:30:00")
    assert case.contact.display_name == "Ada Lovelace"
    assert sorted(case.contact.identities.values_list("kind", "value")) == [
        ("email", "ada@example.com"), ("phone", "+12024561111")]
    message = case.messages.get(direction=Direction.INBOUND)
    attachment = message.attachments.get()
    assert attachment.is_public and attachment.content_type == "image/jpeg" and attachment.filename == "photo-1.jpg"
    assert case.messages.filter(direction=Direction.OUTBOUND, is_automatic=True).exists()  # email confirmation
    confirmation = client.get(first.url).content.decode()
    assert case.number in confirmation and "We sent a confirmation" in confirmation


def test_the_stored_payload_names_photos_by_sha256_and_a_replay_still_reads_them(client, service, valid_data):
    photo = SimpleUploadedFile("hole.jpg", image_bytes(), content_type="image/jpeg")
    assert post(client, valid_data, {"photos": [photo]}).status_code == 302
    raw = bytes(InboundPayload.objects.get().raw)
    [ref] = json.loads(raw)["photos"]
    assert "data_base64" not in ref and len(ref["sha256"]) == 64 and len(raw) < 2000
    stored = Case.objects.get().messages.get(direction=Direction.INBOUND).attachments.get().file.read()
    [message] = WebAdapter().parse(raw, {})
    assert message.attachments[0].content == stored


def test_point_without_address_and_no_contact_is_accepted(client, service, valid_data):
    data = {**valid_data, "address": "", "lat": "38.8977", "lon": "-77.0365", "email": "", "phone": "",
            "first_name": "", "last_name": ""}
    response = post(client, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.lat, case.lon, case.contact) == (38.8977, -77.0365, None)
    assert "cannot send you updates" in client.get(response.url).content.decode()
    assert client.get(f"/status/{case.public_id}/").status_code == 200  # this browser may follow it


def errors_for(client, data, files=None):
    response = post(client, data, files)
    assert response.status_code == 400
    assert Case.objects.count() == 0
    return response.content.decode()


@pytest.mark.parametrize(("change", "message", "anchor"), [
    ({"attr_size": ""}, "Choose an answer for “How big is it?”.", "id_attr_size_0"),
    ({"attr_lanes": []}, "Choose at least one answer for “Which lanes?”.", "id_attr_lanes_0"),
    ({"attr_size": "huge"}, "Choose one of the listed answers for “How big is it?”.", "id_attr_size_0"),
    ({"attr_lanes": ["left", "sidewalk"]}, "Choose only listed answers for “Which lanes?”.", "id_attr_lanes_0"),
    ({"attr_depth": "deep"}, "Enter a number for “Depth in centimetres”", "id_attr_depth"),
    ({"attr_seen_at": "yesterday"}, "Enter a date and time for “When did you first see it?”.", "id_attr_seen_at"),
    ({"description": ""}, "Describe the problem or request.", "id_description"),
    ({"phone": "12345"}, "Enter a valid phone number, including the area code.", "id_phone"),
    ({"email": "not-an-email"}, "Enter an email address like name@example.com.", "id_email"),
    ({"address": "", "lat": "", "lon": ""}, "Tell us where", "id_address"),
    ({"lat": "95", "lon": "10"}, "Enter a latitude between -90 and 90.", "id_lat"),
    ({"lat": "45", "lon": "-200"}, "Enter a longitude between -180 and 180.", "id_lon"),
    ({"lat": "45", "lon": ""}, "Enter a longitude as well as the latitude", "id_lon"),
    ({"lat": "north", "lon": "1"}, "Enter the latitude as a number", "id_lat"),
    ({"form_token": "not-a-uuid"}, "This form expired", "id_description"),
])
def test_bad_input_gets_a_linked_message_and_keeps_what_was_typed(client, service, valid_data, change, message,
                                                                  anchor):
    html = errors_for(client, {**valid_data, **change})
    assert 'id="error-summary" role="alert"' in html
    assert f'<a href="#{anchor}">{message}' in html
    if "form_token" not in change:
        assert 'aria-invalid="true"' in html and "usa-form-group--error" in html
    assert "A deep pothole.</textarea>" in html or change.get("description") == ""
    assert 'value="Near the bakery"' in html


def test_errors_are_described_by_the_field(client, service, valid_data):
    html = errors_for(client, {**valid_data, "phone": "555"})
    assert 'id="id_phone-error"' in html
    assert 'aria-describedby="id_phone-hint id_phone-error"' in html
    assert 'value="555"' in html
    assert re.search(r'value="large"\s+checked', html) and re.search(r'value="right"\s+checked', html)
    assert not re.search(r'value="bike"\s+checked', html)


def test_over_long_text_is_rejected(client, service, valid_data, settings):
    html = errors_for(client, {**valid_data, "description": "x" * (settings.MAX_TEXT_LENGTH + 1)})
    assert f"at most {settings.MAX_TEXT_LENGTH} characters" in html
    html = errors_for(client, {**valid_data, "attr_landmark": "y" * 501})
    assert "“Nearby landmark” can have at most 500 characters" in html
    html = errors_for(client, {**valid_data, "first_name": "z" * 101})
    assert '<a href="#id_first_name">“First name” can have at most 100 characters (it has 101).</a>' in html


def test_text_file_named_jpg_is_rejected_by_content(client, service, valid_data):
    fake = SimpleUploadedFile("hole.jpg", b"just some text, not an image", content_type="image/jpeg")
    html = errors_for(client, valid_data, {"photos": [fake]})
    assert "Photo 1 (hole.jpg) is not a JPEG, PNG, GIF, WebP or HEIC image." in html
    assert "please choose your photos again" in html


def test_truncated_jpeg_is_rejected(client, service, valid_data):
    broken = SimpleUploadedFile("x.jpg", image_bytes()[:40], content_type="image/jpeg")
    assert "is not a JPEG" in errors_for(client, valid_data, {"photos": [broken]})


def test_too_many_and_oversized_photos(client, service, valid_data, settings):
    photos = [SimpleUploadedFile(f"p{n}.png", image_bytes("PNG"), content_type="image/png") for n in range(4)]
    assert "You chose 4 photos; you can add up to 3." in errors_for(client, valid_data, {"photos": photos})
    settings.MAX_PHOTO_BYTES = 100
    big = SimpleUploadedFile("big.png", image_bytes("PNG") + b"\0" * 200, content_type="image/png")
    assert "each photo must be" in errors_for(client, valid_data, {"photos": [big]})


def test_allowed_image_types_pass(client, service, valid_data):
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    files = [SimpleUploadedFile("a.gif", image_bytes("GIF")), SimpleUploadedFile("b.webp", image_bytes("WEBP")),
             SimpleUploadedFile("c.heic", heic)]
    assert post(client, valid_data, {"photos": files}).status_code == 302
    types = sorted(Case.objects.get().messages.get(direction="in").attachments.values_list("content_type", flat=True))
    assert types == ["image/gif", "image/heic", "image/webp"]


def test_unknown_or_inactive_service_is_404(client, service):
    assert client.get("/services/nope/").status_code == 404
    service.is_active = False
    service.save()
    assert client.get(FORM_URL).status_code == 404


def submitted_case(client, valid_data):
    post(client, valid_data)
    client.cookies.clear()  # a new browser: the session no longer knows the case
    return Case.objects.get()


def test_status_lookup_with_right_and_wrong_email(client, service, valid_data):
    case = submitted_case(client, valid_data)
    assert client.get(f"/status/{case.number}/").status_code == 404  # the number is not a public id
    wrong = client.post("/status/", {"number": case.number, "email": "someone@example.com"})
    unknown = client.post("/status/", {"number": "CD-2026-999999", "email": "ada@example.com"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content.decode().count("We could not find a request") == 1
    alert = re.compile(r'<div class="usa-alert usa-alert--error".*?</div></div>', re.S)
    assert alert.search(wrong.content.decode()).group(0) == alert.search(unknown.content.decode()).group(0)
    right = client.post("/status/", {"number": case.number.lower(), "email": " ADA@example.com"})
    assert right.status_code == 302 and right.url == f"/status/{case.public_id}/"
    assert client.get(right.url).status_code == 200


def test_status_page_shows_public_updates_not_notes(client, service, valid_data, django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("hole.png", image_bytes("PNG"))
    post(client, {**valid_data, "photos": [photo]})
    case = Case.objects.get()
    agent = create_staff("agent", agencies=[service.agency])
    with django_capture_on_commit_callbacks(execute=True):
        reply(case, author=agent, text="A crew is scheduled for Tuesday.", public=True)
        add_note(case, author=agent, text="Secret internal note")
    html = client.get(f"/status/{case.public_id}/").content.decode()
    assert "A crew is scheduled for Tuesday." in html and "Secret internal note" not in html
    assert "A deep pothole." in html and "Open" in html and "Pothole" in html
    photo_id = case.messages.get(direction="in").attachments.get().pk
    assert f"/status/{case.public_id}/photos/{photo_id}/" in html
    image = client.get(f"/status/{case.public_id}/photos/{photo_id}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    client.cookies.clear()
    assert client.get(f"/status/{case.public_id}/photos/{photo_id}/").status_code == 404


def test_status_lookup_is_rate_limited(client, service, valid_data):
    case = submitted_case(client, valid_data)
    for _ in range(10):
        client.post("/status/", {"number": case.number, "email": "wrong@example.com"})
    limited = client.post("/status/", {"number": case.number, "email": "ada@example.com"})
    assert limited.status_code == 429 and "Too many attempts" in limited.content.decode()


def test_status_lookup_form_errors(client, db):
    html = client.post("/status/", {"number": "", "email": "x"}).content.decode()
    assert '<a href="#id_number">Enter your request number.</a>' in html
    assert '<a href="#id_email">Enter an email address like name@example.com.</a>' in html


def test_pages_send_a_strict_csp(client, service):
    policy = client.get(FORM_URL)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_csrf_is_enforced(service, valid_data):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(FORM_URL, valid_data).status_code == 403
    assert reverse("portal:home") == "/"
