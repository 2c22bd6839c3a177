"""The Open311 server through Django's test client: the six methods, keys, errors, the pipeline behind POST."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.channels.models import Channel, InboundPayload
from civicdesk.conversations import replies
from civicdesk.open311 import keys
from civicdesk.open311.models import RequestDetail
from civicdesk.open311.tests.conftest import POTHOLE

pytestmark = pytest.mark.django_db
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_service_list_serves_every_demo_service_with_its_type(client, city):
    items = json.loads(client.get("/open311/v2/services.json").content)
    by_code = {i["service_code"]: i for i in items}
    assert set(by_code) == {s.code for s in city["services"].values()}
    assert by_code["pothole"]["type"] == "realtime" and by_code["pothole"]["metadata"] is True
    assert by_code["snow-removal"]["type"] == "batch"
    assert {i["type"] for i in items} == {"realtime", "batch"}


def test_service_definition_lists_attributes_in_order_with_values(client, city):
    data = json.loads(client.get("/open311/v2/services/pothole.json").content)
    assert data["service_code"] == "pothole"
    size, depth = data["attributes"]
    assert (size["code"], size["order"], size["required"], size["datatype"]) == ("size", 1, True, "singlevaluelist")
    assert {v["key"] for v in size["values"]} == {"smaller_than_a_plate", "like_a_car_tire", "wider_than_a_car"}
    assert depth["order"] == 2 and "values" not in depth
    assert client.get("/open311/v2/services/nope.xml").status_code == 404


def test_post_realtime_goes_through_the_pipeline_and_records_the_app(post, client, city):
    response = post("json", **POTHOLE, email="Resident@Example.com", first_name="Ana", last_name="Ruiz",
                    device_id="dev-1", account_id="acc-9", media_url="https://img.example/p.jpg", address_id="A-7")
    assert response.status_code == 200, response.content
    [item] = json.loads(response.content)
    case = Case.objects.get(public_id=item["service_request_id"])
    assert item.get("token") is None
    assert (case.channel, case.source_app, case.service.code) == (Channel.OPEN311, "test-app", "pothole")
    assert case.attributes == {"size": "like_a_car_tire"}
    assert case.contact.email == "resident@example.com" and case.contact.display_name == "Ana Ruiz"
    assert InboundPayload.objects.get(case=case).raw  # raw stored first, processed by the channel pipeline
    detail = RequestDetail.objects.get(case=case)
    assert (detail.device_id, detail.account_id, detail.address_id) == ("dev-1", "acc-9", "A-7")
    [got] = json.loads(client.get(f"/open311/v2/requests/{case.public_id}.json").content)
    assert got["media_url"] == "https://img.example/p.jpg" and got["address_id"] == "A-7"
    assert got["agency_responsible"] == case.agency.name and got["status"] == "open"


def test_same_post_twice_is_one_case(post, city):
    first = json.loads(post("json", **POTHOLE).content)[0]["service_request_id"]
    second = json.loads(post("json", **POTHOLE).content)[0]["service_request_id"]
    assert first == second and Case.objects.count() == 1


def test_batch_service_returns_a_token_then_the_id(post, client, city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post("xml", service_code="snow-removal", address_string="12 Elm St",
                        **{"attribute[surface]": "street"})
    assert b"<token>" in response.content and b"<service_request_id>" not in response.content
    token = response.content.split(b"<token>")[1].split(b"</token>")[0].decode()
    [item] = json.loads(client.get(f"/open311/v2/tokens/{token}.json").content)
    assert item["token"] == token and Case.objects.filter(public_id=item["service_request_id"]).exists()
    assert client.get("/open311/v2/tokens/unknown.json").status_code == 404


def test_multivaluelist_both_encodings_and_fms_deviceid(post, city):
    base = {"service_code": "missed-trash-pickup", "address_string": "3 Oak Ave"}
    spec = post("json", **base, **{"attribute[bin_type][]": ["trash", "recycling"]})
    fms = post("json", **base, deviceid="fms-device", description="fms",
               **{"attribute[bin_type]": ["trash", "yard_waste"]})
    assert spec.status_code == fms.status_code == 200, (spec.content, fms.content)
    first = Case.objects.get(public_id=json.loads(spec.content)[0]["service_request_id"])
    second = Case.objects.get(public_id=json.loads(fms.content)[0]["service_request_id"])
    assert first.attributes["bin_type"] == ["trash", "recycling"]
    assert second.attributes["bin_type"] == ["trash", "yard_waste"]
    assert RequestDetail.objects.get(case=second).device_id == "fms-device"


@pytest.mark.parametrize(("fields", "status", "names"), [
    ({"service_code": "pothole", "attribute[size]": "like_a_car_tire"}, 400, ["location"]),
    ({**POTHOLE, "attribute[size]": ""}, 400, ["attribute[size]"]),
    ({**POTHOLE, "attribute[size]": "huge"}, 400, ["attribute[size]"]),
    ({**POTHOLE, "attribute[depth]": "deep"}, 400, ["attribute[depth]"]),
    ({**POTHOLE, "description": "x" * 4001}, 400, ["description"]),
    ({**POTHOLE, "email": "not-an-email"}, 400, ["email"]),
    ({**POTHOLE, "lat": "91"}, 400, ["lat"]),
    ({**POTHOLE, "long": ""}, 400, ["long"]),
    ({**POTHOLE, "media_url": "javascript:alert(1)"}, 400, ["media_url"]),
    ({**POTHOLE, "service_code": ""}, 400, ["service_code"]),
    ({**POTHOLE, "service_code": "no-such"}, 404, ["service_code"]),
])
def test_bad_input_names_the_field_and_creates_nothing(post, city, fields, status, names):
    response = post("xml", **fields)
    assert response.status_code == status
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    for name in names:
        assert name.encode() in response.content
    assert not Case.objects.exists() and not InboundPayload.objects.exists()


def test_api_keys_missing_wrong_revoked(client, city, api_key):
    assert client.post("/open311/v2/requests.json", POTHOLE).status_code == 403
    assert client.post("/open311/v2/requests.json", {**POTHOLE, "api_key": "o311_wrong"}).status_code == 403
    issued = keys.create_key("other-app")
    keys.revoke_key(issued.api_key)
    response = client.post("/open311/v2/requests.json", {**POTHOLE, "api_key": issued.raw})
    assert response.status_code == 403 and b"revoked" in response.content
    assert client.get("/open311/v2/services.xml", {"api_key": "anything"}).status_code == 200  # ignored on GET


def test_rate_limit_is_a_fixed_window_per_key(client, city):
    from django.core.cache import cache

    cache.clear()
    limited = keys.create_key("slow-app", rate_limit=2)
    other = keys.create_key("fast-app", rate_limit=100)
    codes = [client.post("/open311/v2/requests.json", {**POTHOLE, "description": f"n{i}", "api_key": limited.raw}
                         ).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert client.post("/open311/v2/requests.json", {**POTHOLE, "api_key": other.raw}).status_code == 200
    assert keys.count_request(limited.api_key, now=10**10) == 1  # a new window starts from zero


def test_multipart_media_upload_becomes_a_public_photo(client, city, api_key):
    photo = SimpleUploadedFile("hole.png", PNG, content_type="image/png")
    response = client.post("/open311/v2/requests.json", {**POTHOLE, "api_key": api_key, "media": photo})
    assert response.status_code == 200, response.content
    number = json.loads(response.content)[0]["service_request_id"]
    [item] = json.loads(client.get(f"/open311/v2/requests/{number}.json").content)
    assert item["media_url"].endswith(".png") and "/media/attachments/" in item["media_url"]
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post("/open311/v2/requests.json", {**POTHOLE, "api_key": api_key, "media": bad})
    assert response.status_code == 400 and b"media" in response.content


def test_public_reply_is_status_notes_and_workflow_maps_to_open_closed(post, client, city):
    number = json.loads(post("json", **POTHOLE).content)[0]["service_request_id"]
    case = Case.objects.get(public_id=number)
    case_actions.add_note(case, author=None, text="internal only")
    replies.reply(case, author=None, text="A crew is scheduled for Monday.", public=True)
    case_actions.change_status(case, actor=None, status=CaseStatus.IN_PROGRESS)
    [item] = json.loads(client.get(f"/open311/v2/requests/{number}.json").content)
    assert item["status"] == "open" and item["status_notes"] == "A crew is scheduled for Monday."
    case_actions.change_status(case, actor=None, status=CaseStatus.RESOLVED)
    [item] = json.loads(client.get(f"/open311/v2/requests/{number}.json", {"extensions": "true"}).content)
    assert item["status"] == "closed" and item["expected_datetime"] is None
    assert [n["type"] for n in item["notes"]] == ["submitted", "activity", "closed"]
    assert "internal only" not in json.dumps(item)
    assert item["extended_attributes"]["detailed_status"] == "resolved"


def test_get_requests_filters(post, client, city):
    numbers = [json.loads(post("json", **{**POTHOLE, "description": f"hole {i}"}).content)[0]["service_request_id"]
               for i in range(3)]
    post("json", service_code="graffiti", address_string="Bridge", **{"attribute[surface]": "bridge"})
    case_actions.change_status(Case.objects.get(public_id=numbers[0]), actor=None, status=CaseStatus.CLOSED)

    def ids(**params):
        return [i["service_request_id"] for i in json.loads(client.get("/open311/v2/requests.json", params).content)]

    assert len(ids()) == 4 and ids()[0] != numbers[0]  # newest first
    assert sorted(ids(service_code="pothole")) == sorted(numbers)
    assert ids(status="closed") == [numbers[0]]
    assert len(ids(status="open")) == 3 and len(ids(status="open,closed")) == 4
    assert ids(service_request_id=f"{numbers[1]},{numbers[2]}", status="closed") == [numbers[2], numbers[1]]
    assert ids(start_date="2001-01-01T00:00:00Z", end_date="2001-02-01T00:00:00Z") == []
    assert ids(page="2", page_size="3") == ids()[3:] and len(ids(page_size="2")) == 2
    assert ids(lat="40.01", long="-75.12", radius="100") == ids(service_code="pothole")
    assert ids(updated_after="2999-01-01T00:00:00Z") == []
    bad = client.get("/open311/v2/requests.json", {"status": "pending", "page": "0"})
    assert bad.status_code == 400 and b"status" in bad.content and b"page" in bad.content


def test_radius_pages_stay_full_when_the_box_corners_hold_newer_requests(post, client, city):
    inside = [json.loads(post("json", **{**POTHOLE, "description": f"in {i}"}).content)[0]["service_request_id"]
              for i in range(3)]
    for i in range(3):  # newer, inside the bounding box of a 100 m radius but outside the circle
        post("json", **{**POTHOLE, "lat": "40.0107", "long": "-75.1189", "description": f"corner {i}"})

    def ids(**params):
        return [i["service_request_id"] for i in json.loads(client.get("/open311/v2/requests.json", {
            "lat": "40.01", "long": "-75.12", "radius": "100", **params}).content)]

    assert ids() == inside[::-1]
    assert ids(page_size="2") == inside[::-1][:2] and ids(page="2", page_size="2") == inside[:1]


def test_default_window_is_90_days_and_at_most_1000_results(client, city):
    from datetime import timedelta

    from django.utils import timezone

    service, now = city["services"]["pothole"], timezone.now()
    Case.objects.bulk_create([Case(number=f"T-{i:05d}", public_id=f"T-{i:05d}", channel=Channel.OPEN311,
                                   agency=service.agency, service=service, created_at=now - timedelta(hours=i),
                                   updated_at=now) for i in range(1005)] +
                             [Case(number=f"OLD-{i}", public_id=f"OLD-{i}", channel=Channel.OPEN311,
                                   agency=service.agency, service=service,
                                   created_at=now - timedelta(days=91 + i), updated_at=now) for i in range(3)])
    items = json.loads(client.get("/open311/v2/requests.json").content)
    assert len(items) == 1000 and items[0]["service_request_id"] == "T-00000"
    assert items[-1]["service_request_id"] == "T-00999"  # newest first, the first 1000
    rest = json.loads(client.get("/open311/v2/requests.json", {"page": "2"}).content)
    assert [i["service_request_id"] for i in rest] == [f"T-{i:05d}" for i in range(1000, 1005)]  # no OLD-*
    assert len(json.loads(client.get("/open311/v2/requests.json", {"page_size": "5000"}).content)) == 1000
    [old] = json.loads(client.get("/open311/v2/requests.json", {"service_request_id": "OLD-0"}).content)
    assert old["service_request_id"] == "OLD-0"  # an id overrides the window
    older = json.loads(client.get("/open311/v2/requests.json", {
        "start_date": (now - timedelta(days=200)).isoformat(), "end_date": (now - timedelta(days=90)).isoformat(),
    }).content)
    assert [i["service_request_id"] for i in older] == ["OLD-0", "OLD-1", "OLD-2"]
