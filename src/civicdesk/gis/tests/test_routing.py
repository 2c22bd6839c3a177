"""Routing by location through the real ingest pipeline: rules, tie-breaks, the default queue and re-routing."""

import pytest
from django.conf import settings

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.gis.actions import relocate_case
from civicdesk.gis.models import CaseRouting, RoutingRule
from civicdesk.gis.tests import fixtures as city
from civicdesk.testing.factories import create_agency, create_case, create_service, create_team
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(wards):
    default = create_agency("311")
    owner = create_agency("public-works")
    east = create_agency("east-crew")
    ward_d_agency = create_agency("hole-crew")
    team = create_team(owner, "Ward A crew")
    service = create_service(owner, "pothole")
    wards["Ward D"].agency = ward_d_agency
    wards["Ward D"].save()
    RoutingRule.objects.create(service=service, area_type="ward", priority=0)  # -> the area's own agency
    RoutingRule.objects.create(service=service, area_type="ward", area=wards["Ward A"], team=team, priority=0)
    RoutingRule.objects.create(service=service, area_type="ward", area=wards["Ward B"], agency=east, priority=0)
    return {"wards": wards, "default": default, "owner": owner, "east": east, "hole": ward_d_agency, "team": team,
            "service": service}


def make(service, point, channel="web"):
    x, y = point
    return create_case(channel=channel, service=service, lat=y, lon=x)


def routed_entry(case):
    return AuditEntry.objects.filter(case=case, action=AuditAction.ROUTED).latest("id")


@pytest.mark.parametrize("channel", ["web", "email", "open311"])
def test_every_channel_routes_by_location(setup, channel):
    if channel not in settings.CHANNEL_ADAPTERS:
        pytest.skip(f"no {channel} adapter configured yet")
    case = make(setup["service"], city.HOLE_INSIDE, channel)
    assert case.agency == setup["hole"]  # type-wide rule without a target: Ward D's own agency
    routing = CaseRouting.objects.get(case=case)
    assert routing.area == setup["wards"]["Ward D"] and not routing.flagged
    assert routing.generation_id == setup["wards"]["Ward D"].generation_low_id
    entry = routed_entry(case)
    assert entry.after["area"] == setup["wards"]["Ward D"].pk and entry.after["rule"] == routing.rule_id
    assert "Ward D" in entry.reason


def test_shared_edge_and_vertex_resolve_deterministically(setup):
    # on the A|B edge both cover; Ward A is smaller (it has a hole) so its rule wins
    case = make(setup["service"], city.EDGE_AB)
    assert case.team == setup["team"] and case.agency == setup["owner"]
    assert CaseRouting.objects.get(case=case).area == setup["wards"]["Ward A"]
    case = make(setup["service"], city.VERTEX_ABC)
    assert CaseRouting.objects.get(case=case).area == setup["wards"]["Ward A"]
    case = make(setup["service"], city.HOLE_EDGE)  # on the hole's ring: D (smaller) wins over A
    assert case.agency == setup["hole"]


def test_priority_then_specificity(setup):
    service = setup["service"]
    assert make(service, (city.X0 + 0.015, city.Y0 + 0.005)).agency == setup["east"]  # Ward B's own rule
    urgent = create_agency("urgent")
    RoutingRule.objects.create(service=service, area_type="ward", agency=urgent, priority=5)
    assert make(service, (city.X0 + 0.015, city.Y0 + 0.005)).agency == urgent
    RoutingRule.objects.filter(agency=urgent).update(is_active=False)
    other = create_service(setup["owner"], "graffiti")
    assert make(other, (city.X0 + 0.015, city.Y0 + 0.005)).agency == setup["owner"]  # no rule: service owner


def test_outside_every_area_goes_to_default_queue_flagged(setup):
    case = make(setup["service"], city.OUTSIDE)
    assert case.agency == setup["default"]
    routing = CaseRouting.objects.get(case=case)
    assert routing.flagged and routing.area is None
    assert "outside every boundary" in routed_entry(case).reason


def test_configurable_default_queue(setup, settings):
    settings.GIS_DEFAULT_AGENCY = "east-crew"
    assert make(setup["service"], city.OUTSIDE).agency == setup["east"]


def test_swapped_and_impossible_coordinates_are_questioned(setup):
    x, y = city.HOLE_INSIDE
    case = create_case(service=setup["service"], lat=x, lon=y)  # lat and lon swapped
    assert case.agency == setup["default"]
    assert "swapped" in routed_entry(case).reason
    case = create_case(service=setup["service"], lat=123.0, lon=-75.0)
    assert case.agency == setup["default"] and CaseRouting.objects.get(case=case).flagged
    assert "out of range" in routed_entry(case).reason


def test_no_location_or_no_boundaries_leaves_service_routing(setup):
    case = create_case(service=setup["service"])
    assert case.agency == setup["owner"] and not CaseRouting.objects.filter(case=case).exists()


def test_relocate_routes_again(setup):
    case = make(setup["service"], city.HOLE_INSIDE)
    relocate_case(case, city.Y0 + 0.005, city.X0 + 0.015, actor=None, address="Elm St")
    case.refresh_from_db()
    assert case.agency == setup["east"] and case.address == "Elm St"
    assert CaseRouting.objects.get(case=case).area == setup["wards"]["Ward B"]
    assert AuditEntry.objects.filter(case=case, action=AuditAction.LOCATION_CHANGED).exists()
    assert AuditEntry.objects.filter(case=case, action=AuditAction.ROUTED).count() == 2
    with pytest.raises(ValueError, match="swapped"):
        relocate_case(case, -75.0, 40.0, actor=None)


@pytest.mark.django_db
def test_without_boundaries_location_routing_steps_aside():
    owner = create_agency("owner")
    case = create_case(service=create_service(owner, "x"), lat=40.0, lon=-75.0)
    assert case.agency == owner and not CaseRouting.objects.exists()


def test_agent_changes_location_from_the_case_page(client, setup):
    from civicdesk.agencies.models import StaffRole
    from civicdesk.testing.factories import create_staff

    case = make(setup["service"], city.HOLE_INSIDE)
    staff_login(client, create_staff("boss", role=StaffRole.ADMIN))
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Routed with boundary generation" in page and "ward Ward D" in page and "Change the location" in page
    response = client.post(f"/staff/relocate/{case.number}/", {"lat": city.Y0 + 0.005, "lon": city.X0 + 0.015,
                                                               "address": "Elm St"})
    assert response.status_code == 302 and response.url == f"/staff/cases/{case.number}/"
    case.refresh_from_db()
    assert case.agency == setup["east"] and case.address == "Elm St"
    assert "Ward B" in routed_entry(case).reason
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "ward Ward B" in page and "Location in ward Ward B" in page  # the panel and the timeline's reason
    x, y = city.OUTSIDE
    client.post(f"/staff/relocate/{case.number}/", {"lat": y, "lon": x})
    case.refresh_from_db()
    assert case.agency == setup["default"] and CaseRouting.objects.get(case=case).flagged
    assert "Location questioned" in client.get(f"/staff/cases/{case.number}/").content.decode()
    response = client.post(f"/staff/relocate/{case.number}/", {"lat": "-75.0", "lon": "40.0"}, follow=True)
    assert "The location was not changed" in response.content.decode() and "swapped" in response.content.decode()
    outsider = create_staff("parkie", agencies=[create_agency("parks")])
    client.force_login(outsider)
    assert client.post(f"/staff/relocate/{case.number}/", {"lat": y, "lon": x}).status_code == 404
