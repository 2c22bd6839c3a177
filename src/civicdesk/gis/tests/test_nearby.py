"""Nearby duplicates: FixMyStreet's rule (same service, open, within 250 m, 5 nearest then newest) and +1."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.actions import change_status
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.gis.models import CaseLocation
from civicdesk.gis.queries import likely_duplicates, nearby_open_cases
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db
LAT, LON = 40.0, -75.0
M = 1 / 111_195  # degrees of latitude per metre


@pytest.fixture
def service():
    return create_service(create_agency("public-works"), "pothole")


def at(service, metres_north, **kwargs):
    return create_case(service=service, lat=LAT + metres_north * M, lon=LON, **kwargs)


def backdate(case, days):
    """Cases are never backdated by the app; tests move both the case and its spatial copy."""
    when = timezone.now() - timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(created_at=when)
    CaseLocation.objects.filter(case_id=case.pk).update(created_at=when)


def test_nearest_five_open_of_same_service(service):
    near = [at(service, d) for d in (10, 50, 100, 150, 200, 240)]
    far = at(service, 260)
    closed = at(service, 5)
    change_status(closed, actor=None, status=CaseStatus.CLOSED)
    other = at(create_service(service.agency, "graffiti"), 1)
    found = nearby_open_cases(service, LAT, LON)
    assert [n.case for n in found] == near[:5]
    assert all(n.case not in (far, closed, other) for n in found)
    assert found[0].distance_m == pytest.approx(10, abs=0.5)


def test_ties_in_distance_go_to_the_newest(service):
    older = at(service, 30)
    newer = at(service, 30)
    backdate(older, 3)
    assert [n.case for n in nearby_open_cases(service, LAT, LON)] == [newer, older]


def test_likely_duplicates_window(service):
    case = at(service, 0)
    recent = at(service, 20)
    old = at(service, 40)
    backdate(old, 60)
    assert [n.case for n in likely_duplicates(case, radius_m=100, days=30)] == [recent]
    assert [n.case for n in likely_duplicates(case, radius_m=100, days=None)] == [recent, old]


def test_fragment_and_follow(client, service):
    existing = at(service, 20, email="first@example.com")
    response = client.get("/gis/nearby", {"service": "pothole", "lat": LAT, "lon": LON})
    html = response.content.decode()
    assert "Is it one of these?" in html and existing.number in html and "first@example.com" not in html
    assert 'for="follow-email-' in html
    assert client.get("/gis/nearby", {"service": "pothole", "lat": "", "lon": ""}).content.strip() == b""
    response = client.post(f"/gis/nearby/{existing.public_id}/follow", {"follow_email": "second@example.com"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "You now follow" in response.content.decode()
    existing.refresh_from_db()
    assert existing.supporter_count == 1
    assert existing.followers.get().identities.get().value == "second@example.com"
    again = client.post(f"/gis/nearby/{existing.public_id}/follow", {"follow_email": "second@example.com"})
    assert again.status_code == 200
    existing.refresh_from_db()
    assert existing.supporter_count == 1  # the same person counts once
    bad = client.post(f"/gis/nearby/{existing.public_id}/follow", {"follow_email": "nope"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "Enter an email address" in bad.content.decode()


def test_follow_needs_csrf(service):
    from django.test import Client

    existing = at(service, 20)
    response = Client(enforce_csrf_checks=True).post(f"/gis/nearby/{existing.public_id}/follow",
                                                     {"follow_email": "x@example.com"})
    assert response.status_code == 403


def test_spatial_copy_follows_case_changes(service):
    from civicdesk.cases.actions import merge_cases
    from civicdesk.gis.actions import relocate_case
    from civicdesk.gis.case_locations import rebuild_case_locations

    case = at(service, 10)
    other = at(service, 20)
    assert CaseLocation.objects.get(case_id=case.pk).is_open
    change_status(case, actor=None, status=CaseStatus.RESOLVED)
    assert not CaseLocation.objects.get(case_id=case.pk).is_open
    relocate_case(case, LAT + 0.01, LON, actor=None)
    assert CaseLocation.objects.get(case_id=case.pk).lat == pytest.approx(LAT + 0.01)
    merge_cases(other, case, actor=None)
    assert not CaseLocation.objects.filter(case_id=other.pk).exists()
    before = sorted(CaseLocation.objects.values_list("case_id", "cell", "is_open"))
    assert rebuild_case_locations() == len(before)
    assert sorted(CaseLocation.objects.values_list("case_id", "cell", "is_open")) == before
