"""Initiative before/after: request rates per area, resolution time, hotspot changes, and the staff page."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely
from django.utils import timezone

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.impact import initiative_impact, periods
from civicdesk.gis.models import Area, CaseRouting, Generation, Initiative, RoutingRule
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff, create_team
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


def test_before_after(client, wards):
    service = create_service(create_agency("public-works"), "pothole")
    today = timezone.localdate()
    initiative = Initiative.objects.create(name="Pothole blitz", area=wards["Ward B"], start=today - timedelta(days=20))
    initiative.services.add(service)
    now = timezone.now()
    (b0, b1), (a0, a1) = periods(initiative, now)
    assert a1 == now and a0 == b1 and a1 - a0 == b1 - b0 and timezone.localdate(a0) == today - timedelta(days=20)
    for i in range(8):  # before: 8 reports in one corner, resolved in 48 h
        case = create_case(service=service, lat=40.001, lon=-74.989 + i * 0.0001)
        Case.objects.filter(pk=case.pk).update(created_at=now - timedelta(days=30),
                                               resolved_at=now - timedelta(days=28))
    for i in range(2):  # after: 2 reports, resolved in 12 h
        case = create_case(service=service, lat=40.005, lon=-74.985 + i * 0.0001)
        Case.objects.filter(pk=case.pk).update(created_at=now - timedelta(days=5),
                                               resolved_at=now - timedelta(days=5) + timedelta(hours=12))
    create_case(service=service, lat=40.005, lon=-74.995)  # Ward A: not in the initiative's area
    report = initiative_impact(initiative, Case.objects.all(), now)
    row = report.rates[0]
    assert (row.name, row.before, row.after) == ("Ward B", 8, 2) and report.ongoing
    assert row.rate_before == pytest.approx(8 * 30 / report.days) and row.change_pct == pytest.approx(-75)
    assert 0 < row.p_value < 0.2
    assert report.median_hours_before == pytest.approx(48) and report.median_hours_after == pytest.approx(12)
    assert set(report.hotspot_counts) == {"appeared", "persisted", "vanished"}
    [outline] = report.area_geojson["features"]  # no wards overlap besides Ward B itself, so no parts to shade
    assert {k: outline["properties"][k] for k in ("role", "before", "after", "change_pct")} == {
        "role": "initiative", "before": 8, "after": 2, "change_pct": -75.0}
    admin = create_staff("boss", role=StaffRole.ADMIN)
    staff_login(client, admin)
    page = client.get(f"/staff/initiatives/{initiative.pk}/")
    assert page.status_code == 200 and "Pothole blitz" in page.content.decode()
    assert client.get("/staff/initiatives/").status_code == 200


def test_demo_boundaries_route_and_are_idempotent():
    works = create_agency("public-works")
    create_team(works, "West crew")
    create_team(works, "East crew")
    sanitation = create_agency("sanitation")
    create_agency("311")
    pothole = create_service(works, "pothole")
    trash = create_service(sanitation, "missed-trash")
    generation = seed_boundaries()
    assert seed_boundaries() == generation and Generation.objects.count() == 1
    assert generation.active
    assert Area.objects.filter(type="ward").count() == 6 and Area.objects.filter(type="sanitation_zone").count() == 4
    city = shapely.from_wkb(bytes(Area.objects.get(type="city").wkb))
    assert city.is_valid
    west = create_case(service=pothole, lat=40.0, lon=-75.03)
    east = create_case(service=pothole, lat=40.0, lon=-74.97)
    assert west.team.name == "West crew" and east.team.name == "East crew"
    trash_case = create_case(service=trash, lat=39.98, lon=-75.03)
    assert trash_case.agency == sanitation
    assert CaseRouting.objects.get(case=trash_case).area.name == "Sanitation zone A"
    outside = create_case(service=pothole, lat=41.0, lon=-75.0)
    assert outside.agency.slug == "311" and CaseRouting.objects.get(case=outside).flagged
    assert RoutingRule.objects.exists()


def test_demo_without_agencies_is_safe():
    generation = seed_boundaries()
    assert generation.active and not RoutingRule.objects.exists()


def test_rate_map_shades_the_parts_of_an_initiative_area(db):
    works = create_agency("public-works")
    create_agency("311")
    service = create_service(works, "pothole")
    seed_boundaries()
    city = Area.objects.get(type="city")
    initiative = Initiative.objects.create(name="City-wide", area=city, start=timezone.localdate() - timedelta(days=10))
    case = create_case(service=service, lat=40.0, lon=-75.03)  # on the edge of wards 1 and 4 (west)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=2))
    report = initiative_impact(initiative, Case.objects.all())
    roles = [f["properties"]["role"] for f in report.area_geojson["features"]]
    assert roles == ["initiative"] + ["part"] * 6  # the six wards
    west = [f["properties"] for f in report.area_geojson["features"] if f["properties"]["after"] == 1]
    assert {p["name"] for p in west} == {"Riverbend", "Ward 1", "Ward 4"}
    assert all(p["change_pct"] is None and p["rate_after"] > 0 for p in west)  # nothing before: no percentage


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("America/New_York"))


def test_after_period_includes_today_and_the_whole_end_day(settings, wards):
    """No end: everything up to now, including today's cases. An end date: that whole day, in TIME_ZONE."""
    settings.TIME_ZONE = "America/New_York"
    service = create_service(create_agency("public-works"), "pothole")
    now = timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    initiative = Initiative.objects.create(name="Blitz", area=wards["Ward B"], start=today - timedelta(days=3))
    initiative.services.add(service)
    fresh = create_case(service=service, lat=40.005, lon=-74.985)  # created just now, today
    report = initiative_impact(initiative, Case.objects.all())
    assert report.rates[0].after == 1 and report.ongoing and report.after[1] >= fresh.created_at

    # An ended initiative: its end day counts up to local midnight, even in UTC's next day, and not a second past.
    ended = Initiative.objects.create(name="Spring", area=wards["Ward B"], start=date(2025, 3, 1),
                                      end=date(2025, 3, 10))
    (b0, b1), (a0, a1) = periods(ended, now)
    assert (a0, a1) == (_at(date(2025, 3, 1), 0), _at(date(2025, 3, 11), 0))
    assert a1 - a0 == b1 - b0 == timedelta(days=10) - timedelta(hours=1)  # clocks went forward on 9 March
    moments = {"after": [_at(date(2025, 3, 10), 23, 30), _at(date(2025, 3, 1), 0)],
               "before": [_at(date(2025, 2, 28), 23, 59), _at(date(2025, 2, 19), 1)], "neither": [
                   _at(date(2025, 3, 11), 0), _at(date(2025, 2, 19), 0, 59)]}
    for moment in sum(moments.values(), []):
        case = create_case(service=service, lat=40.005, lon=-74.985)
        Case.objects.filter(pk=case.pk).update(created_at=moment)
    report = initiative_impact(ended, Case.objects.all().exclude(pk=fresh.pk), now)
    assert (report.rates[0].before, report.rates[0].after) == (2, 2) and not report.ongoing
    assert report.days == pytest.approx(10 - 1 / 24)

    # An end date still ahead: the after period stops at now; a start still ahead: both periods are empty.
    running = Initiative.objects.create(name="Summer", area=wards["Ward B"], start=today, end=today + timedelta(days=5))
    assert periods(running, now)[1] == (_at(today, 0), now)
    future = Initiative.objects.create(name="Autumn", area=wards["Ward B"], start=today + timedelta(days=2))
    assert periods(future, now) == ((_at(today + timedelta(days=2), 0),) * 2,) * 2
    assert initiative_impact(future, Case.objects.all(), now).rates[0].rate_after == 0
