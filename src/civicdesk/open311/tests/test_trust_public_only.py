"""Issue #7 item 3: Open311, the public map, its GeoJSON and the status page publish only public updates (and the
original description only where the service allows it); residents' follow-ups and staff's replies are private."""

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import process
from civicdesk.opendata.actions import write_export
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db
DESCRIPTION = "Pothole outside my house at 9 Oak Lane, ring Jo Resident on 202-555-0187."
FOLLOW_UP = "Follow-up from Jo: I am home after 5pm, my gate code is 4411."
PRIVATE_REPLY = "Private reply to Jo: we will call you before the crew arrives."
PUBLIC_UPDATE = "Public update: the crew fills this pothole on Tuesday."


@pytest.fixture
def request_with_history(city: dict[str, Any], post: Any, client: Client,
                         django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    with django_capture_on_commit_callbacks(execute=True):
        answer = post("json", service_code="pothole", lat="40.01", long="-75.12", description=DESCRIPTION,
                      **{"attribute[size]": "like_a_car_tire"}, first_name="Jo", last_name="Resident",
                      email="jo.resident@example.com", phone="2025550187")
    assert answer.status_code == 200, answer.content
    request_id = json.loads(answer.content)[0]["service_request_id"]
    service = city["services"]["pothole"]
    service.publish_description = False  # the demo publishes pothole descriptions; this request's is private
    service.save()
    case = Case.objects.get()
    raw = (f"From: Jo Resident <jo.resident@example.com>\nTo: works@example.com\nSubject: Re: [{case.number}] "
           f"Pothole\nMessage-ID: <follow-up-1@example.com>\n\n{FOLLOW_UP}\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        payload, _ = store_payload("email", raw, meta={"transport": "test"})
        result = process(payload)
    assert result.case is not None and result.case.pk == case.pk, "the resident's own follow-up threads in"
    staff = Client()
    staff.force_login(create_staff("agent", agencies=[case.agency]))
    for text, audience in ((PRIVATE_REPLY, "private"), (PUBLIC_UPDATE, "public")):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(f"/staff/cases/{case.number}/reply/", {"text": text, "audience": audience})
        assert response.status_code == 302
    return {"id": request_id, "case": case, "service": service}


def assert_only_public(text: str) -> None:
    for private in (DESCRIPTION, FOLLOW_UP, PRIVATE_REPLY, "jo.resident@example.com", "202-555-0187", "Jo Resident",
                    "gate code"):
        assert private not in text, private


def test_open311_request_shows_the_public_update_and_nothing_private(request_with_history: dict[str, Any],
                                                                    client: Client) -> None:
    request_id = request_with_history["id"]
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests/{request_id}.{fmt}", {"extensions": "true"}).content.decode()
        assert PUBLIC_UPDATE in body
        assert_only_public(body)
    [item] = json.loads(client.get(f"/open311/v2/requests/{request_id}.json", {"extensions": "true"}).content)
    assert item["status_notes"] == PUBLIC_UPDATE and item["description"] is None
    assert [n["description"] for n in item["notes"] if n["type"] == "activity"] == [PUBLIC_UPDATE]
    listing = client.get("/open311/v2/requests.json", {"extensions": "true"}).content.decode()
    assert PUBLIC_UPDATE in listing
    assert_only_public(listing)


def test_servicerequestupdates_carry_only_public_updates(request_with_history: dict[str, Any],
                                                        client: Client) -> None:
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/servicerequestupdates.{fmt}").content.decode()
        assert PUBLIC_UPDATE in body
        assert_only_public(body)


def test_the_description_is_public_only_where_the_service_allows_it(request_with_history: dict[str, Any],
                                                                    client: Client) -> None:
    service = request_with_history["service"]
    service.publish_description = True
    service.save()
    [item] = json.loads(client.get(f"/open311/v2/requests/{request_with_history['id']}.json").content)
    assert item["description"] == DESCRIPTION


def test_the_public_map_and_its_geojson_publish_no_text_or_contacts(request_with_history: dict[str, Any],
                                                                   client: Client) -> None:
    for path in ("/map/", "/gis/cases.geojson", "/gis/cases.geojson?status=open", "/gis/cases.geojson?aggregate=1"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_only_public(response.content.decode())


def test_the_status_page_without_verification_shows_the_public_update_only(request_with_history: dict[str, Any],
                                                                          client: Client) -> None:
    case = request_with_history["case"]
    found = client.post("/status/", {"number": case.number, "email": "jo.resident@example.com"})
    own = client.get(found.url).content.decode()
    assert FOLLOW_UP in own and PRIVATE_REPLY in own and PUBLIC_UPDATE in own  # the resident sees their own
    stranger = Client().get(found.url, follow=True)  # a stranger's status link leads to the public request page
    assert stranger.status_code == 200 and stranger.redirect_chain[-1][0] == f"/requests/{case.public_id}/"
    html = stranger.content.decode()
    assert PUBLIC_UPDATE in html
    assert_only_public(html)


def test_the_open_data_export_publishes_no_text_contacts_or_exact_point(
        request_with_history: dict[str, Any], client: Client, settings: Any, tmp_path: Any) -> None:
    settings.OPEN_DATA_DIR = tmp_path
    write_export()
    for fmt in ("csv", "geojson"):
        body = b"".join(client.get(f"/open-data/requests.{fmt}").streaming_content).decode()  # type: ignore[attr-defined]
        assert PUBLIC_UPDATE in body and request_with_history["id"] in body
        assert_only_public(body)
        assert "Oak Lane" not in body
    [feature] = json.loads((tmp_path / timezone.localdate().isoformat() / "requests.geojson").read_text())["features"]
    assert feature["geometry"]["coordinates"] == [-75.12, 40.01]  # on the 0.001-degree grid already
    assert feature["properties"]["description"] == ""
