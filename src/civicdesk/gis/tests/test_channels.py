"""Routing by location from each real channel entry point: the portal form, a raw email and an Open311 POST."""

import json
import uuid

import pytest

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import process
from civicdesk.gis.models import CaseRouting, RoutingRule
from civicdesk.gis.tests import fixtures as city
from civicdesk.open311 import keys
from civicdesk.testing.factories import create_agency, create_service

pytestmark = pytest.mark.django_db
LON, LAT = city.HOLE_INSIDE  # only in Ward D


@pytest.fixture
def routed(wards):
    """Ward D belongs to the hole crew; a type-wide rule for any service sends cases to the ward's agency."""
    create_agency("311")
    hole = create_agency("hole-crew")
    works = create_agency("public-works")
    service = create_service(works, "pothole", name="Pothole")
    wards["Ward D"].agency = hole
    wards["Ward D"].save()
    RoutingRule.objects.create(area_type="ward", priority=1)
    return {"hole": hole, "works": works, "service": service, "ward": wards["Ward D"]}


def assert_routed_to_ward_d(case: Case, routed: dict) -> None:
    assert case.agency == routed["hole"]
    routing = CaseRouting.objects.get(case=case)
    assert routing.area == routed["ward"] and routing.generation_id == routed["ward"].generation_low_id
    entry = AuditEntry.objects.filter(case=case, action=AuditAction.ROUTED).latest("id")
    assert "Ward D" in entry.reason and f"rule #{routing.rule_id}" in entry.reason


def test_portal_form(client, routed):
    response = client.post("/services/pothole/", {
        "form_token": str(uuid.uuid4()), "description": "A hole.", "address": "", "lat": f"{LAT:.6f}",
        "lon": f"{LON:.6f}", "first_name": "", "last_name": "", "email": "ada@example.com", "phone": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_routed_to_ward_d(Case.objects.get(), routed)


@pytest.mark.parametrize("body", [
    "There is a big hole here: geo:{lat:.4f},{lon:.4f}\r\n",
    "Pin: https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=19/{lat:.5f}/{lon:.5f}\r\n",
    "Latitude {lat:.5f}, longitude {lon:.5f}. Thanks.\r\n",
])
def test_email_carrying_coordinates(routed, body):
    raw = ("From: Ada <ada@example.com>\r\nTo: 311@riverbend.example\r\nSubject: Hole in the road\r\n"
           f"Message-ID: <{uuid.uuid4()}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + body.format(lat=LAT, lon=LON)).encode()
    payload, _ = store_payload("email", raw)
    result = process(payload)
    assert result.case is not None, payload.error
    case = result.case
    assert (round(case.lat, 4), round(case.lon, 4)) == (round(LAT, 4), round(LON, 4))
    assert_routed_to_ward_d(case, routed)


def test_email_without_coordinates_is_not_located(routed):
    raw = ("From: ada@example.com\r\nTo: 311@riverbend.example\r\nSubject: Noise\r\n"
           f"Message-ID: <{uuid.uuid4()}@example.com>\r\n\r\nCall me on 215.555.0134 please.\r\n").encode()
    payload, _ = store_payload("email", raw)
    case = process(payload).case
    assert case is not None and case.lat is None and not CaseRouting.objects.filter(case=case).exists()


def test_open311_post(client, routed):
    key = keys.create_key("test-app", rate_limit=1000).raw
    response = client.post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "pothole", "lat": f"{LAT:.6f}", "long": f"{LON:.6f}",
        "description": "A hole.", "email": "app@example.com"})
    assert response.status_code == 200, response.content
    [item] = json.loads(response.content)
    assert_routed_to_ward_d(Case.objects.get(public_id=item["service_request_id"]), routed)
