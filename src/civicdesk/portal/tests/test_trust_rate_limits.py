"""Public pages without accounts are rate limited per client address: submissions, "+1" follows, status lookups."""

import uuid

import pytest

from civicdesk.cases.models import Case
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def submission(valid_data, description: str) -> dict[str, str | list[str]]:
    return {**valid_data, "form_token": str(uuid.uuid4()), "description": description}


def test_the_portal_takes_PORTAL_SUBMISSIONS_PER_HOUR_requests_from_one_address_then_says_wait(
        client, service, valid_data, settings):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 3
    codes = [client.post("/services/pothole/", submission(valid_data, f"Hole number {i}")).status_code
             for i in range(3)]
    assert codes == [302, 302, 302]
    limited = client.post("/services/pothole/", submission(valid_data, "One hole too many"))
    html = limited.content.decode()
    assert limited.status_code == 429
    assert "Too many attempts from your connection" in html and "One hole too many" in html  # input kept
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert Case.objects.count() == 3


def test_another_address_still_gets_its_own_submissions(client, service, valid_data, settings):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 1
    assert client.post("/services/pothole/", submission(valid_data, "First")).status_code == 302
    assert client.post("/services/pothole/", submission(valid_data, "Second")).status_code == 429
    other = client.post("/services/pothole/", submission(valid_data, "Neighbour"),
                        REMOTE_ADDR="192.0.2.55")
    assert other.status_code == 302


def test_status_lookups_follow_PORTAL_STATUS_LOOKUPS_PER_MINUTE(client, service, settings):
    settings.PORTAL_STATUS_LOOKUPS_PER_MINUTE = 2
    attempt = {"number": "CD-2026-000001", "email": "nobody@example.com"}
    assert [client.post("/status/", attempt).status_code for _ in range(2)] == [404, 404]
    limited = client.post("/status/", attempt)
    assert limited.status_code == 429 and "Retry-After" in limited
    assert "Too many attempts from your connection" in limited.content.decode()


def test_this_is_my_problem_too_takes_PORTAL_FOLLOWS_PER_HOUR_from_one_address(client, service, settings):
    settings.PORTAL_FOLLOWS_PER_HOUR = 2
    case = create_case(service=service, lat=40.0, lon=-75.0)
    for i in range(2):
        response = client.post(f"/gis/nearby/{case.public_id}/follow", {"follow_email": f"n{i}@example.com"},
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    fragment = client.post(f"/gis/nearby/{case.public_id}/follow", {"follow_email": "n3@example.com"},
                           HTTP_HX_REQUEST="true")
    page = client.post(f"/gis/nearby/{case.public_id}/follow", {"follow_email": "n4@example.com"})
    assert fragment.status_code == 429 and page.status_code == 429 and "Retry-After" in page
    assert "Too many attempts from your connection" in fragment.content.decode()
    assert "We could not add you" in page.content.decode()
    case.refresh_from_db()
    assert case.supporter_count == 2 and case.followers.count() == 2
