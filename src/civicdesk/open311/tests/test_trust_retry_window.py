"""Issue #7 item 6: an identical Open311 POST is the same request only as a retry within a short window."""

import json
from datetime import timedelta

from django.utils import timezone

from civicdesk.cases.actions import change_status
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.channels.models import InboundPayload
from civicdesk.open311.tests.conftest import POTHOLE


def request_id(response) -> str:
    assert response.status_code == 200, response.content
    return json.loads(response.content)[0]["service_request_id"]


def age_payloads(seconds: float) -> None:
    InboundPayload.objects.update(received_at=timezone.now() - timedelta(seconds=seconds))


def test_the_retry_window_is_two_minutes_by_default(settings):
    assert settings.OPEN311_RETRY_WINDOW_SECONDS == 120


def test_a_retry_within_the_window_returns_the_same_request(post, city):
    first = request_id(post("json", **POTHOLE))
    age_payloads(60)
    assert request_id(post("json", **POTHOLE)) == first
    assert Case.objects.count() == 1 and InboundPayload.objects.count() == 1


def test_the_same_post_after_the_window_is_a_new_request(post, city, settings):
    first = request_id(post("json", **POTHOLE))
    age_payloads(settings.OPEN311_RETRY_WINDOW_SECONDS + 1)
    second = request_id(post("json", **POTHOLE))
    assert second != first and Case.objects.count() == 2 and InboundPayload.objects.count() == 2
    assert request_id(post("json", **POTHOLE)) == second  # and a retry of that one is that one


def test_the_same_post_after_the_request_was_closed_is_a_new_request(post, city):
    first = request_id(post("json", **POTHOLE))
    change_status(Case.objects.get(public_id=first), actor=None, status=CaseStatus.CLOSED)
    second = request_id(post("json", **POTHOLE))
    assert second != first
    assert Case.objects.get(public_id=second).status == CaseStatus.NEW


def test_another_application_posting_the_same_body_makes_its_own_request(post, client, city):
    from civicdesk.open311 import keys

    other = keys.create_key("other-app", rate_limit=1000).raw
    first = request_id(post("json", **POTHOLE))
    second = request_id(client.post("/open311/v2/requests.json", {"api_key": other, **POTHOLE}))
    assert first != second


def test_a_batch_request_posted_again_after_the_window_gets_a_new_token(post, city, settings):
    body = {"service_code": "snow-removal", "address_string": "12 Elm St", "attribute[surface]": "street"}
    token = post("xml", **body).content.split(b"<token>")[1].split(b"</token>")[0]
    assert post("xml", **body).content.split(b"<token>")[1].split(b"</token>")[0] == token
    age_payloads(settings.OPEN311_RETRY_WINDOW_SECONDS + 1)
    assert post("xml", **body).content.split(b"<token>")[1].split(b"</token>")[0] != token
