"""Initiatives in the staff UI: who sees, creates and changes them, the form's checks, and the audit trail."""

from datetime import date

import pytest
from django.test import Client

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.gis.models import Area, Initiative
from civicdesk.inbox.tests.conftest import World, world  # noqa: F401  (fixture)
from civicdesk.testing.factories import create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    return staff_login(Client(), user)


@pytest.fixture
def ward(wards) -> Area:
    return wards["Ward B"]


@pytest.fixture
def people(world: World):  # noqa: F811
    works_sup = create_staff("works-sup", role=StaffRole.SUPERVISOR, agencies=[world.works])
    parks_sup = create_staff("parks-sup", role=StaffRole.SUPERVISOR, agencies=[world.parks])
    return {"works_sup": works_sup, "parks_sup": parks_sup, "agent": world.works_agent, "admin": world.admin,
            "parks_agent": world.parks_agent}


def form(area: Area, agency, **extra) -> dict:
    data = {"initiative-name": "Pothole blitz", "initiative-description": "Two extra crews.",
            "initiative-agency": agency.pk if agency else "", "initiative-area": area.pk,
            "initiative-start": "2026-03-01", "initiative-end": ""}
    data.update(extra)
    return data


def test_a_supervisor_creates_an_initiative_of_their_agency_and_the_audit_trail_says_who(world, people, ward):  # noqa: F811
    client = client_for(people["works_sup"])
    page = client.get("/staff/initiatives/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Public Works" in text and "Parks and Recreation" not in text  # only their own agency to choose
    response = client.post("/staff/initiatives/new/", form(ward, world.works, **{
        "initiative-services": [world.pothole.pk]}))
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/initiatives/{initiative.pk}/"
    assert (initiative.agency, initiative.area, initiative.start, initiative.end) == (world.works, ward,
                                                                                     date(2026, 3, 1), None)
    assert list(initiative.services.all()) == [world.pothole] and initiative.created_by == people["works_sup"]
    entry = AuditEntry.objects.get(action=AuditAction.INITIATIVE_CREATED)
    assert entry.actor == people["works_sup"] and entry.before == {}
    assert entry.after["name"] == "Pothole blitz" and entry.after["agency"] == "public-works"
    assert entry.after["services"] == ["pothole"] and entry.after["area"]["id"] == ward.pk


def test_a_supervisor_changes_their_agencys_initiative_and_the_change_is_audited_with_before_and_after(
        world, people, ward):  # noqa: F811
    initiative = Initiative.objects.create(name="Blitz", agency=world.works, area=ward, start=date(2026, 3, 1))
    client = client_for(people["works_sup"])
    assert "Blitz" in client.get(f"/staff/initiatives/{initiative.pk}/edit/").content.decode()
    response = client.post(f"/staff/initiatives/{initiative.pk}/edit/", form(
        ward, world.works, **{"initiative-name": "Spring blitz", "initiative-end": "2026-04-30"}))
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.name, initiative.end) == ("Spring blitz", date(2026, 4, 30))
    entry = AuditEntry.objects.get(action=AuditAction.INITIATIVE_CHANGED)
    assert (entry.before["name"], entry.after["name"]) == ("Blitz", "Spring blitz")
    assert (entry.before["end"], entry.after["end"]) == (None, "2026-04-30")


def test_an_agent_sees_initiatives_but_may_not_create_or_change_them(world, people, ward):  # noqa: F811
    initiative = Initiative.objects.create(name="Blitz", agency=world.works, area=ward, start=date(2026, 3, 1))
    client = client_for(people["agent"])
    listing = client.get("/staff/initiatives/").content.decode()
    assert "Blitz" in listing and "New initiative" not in listing
    assert "Edit initiative" not in client.get(f"/staff/initiatives/{initiative.pk}/").content.decode()
    assert client.get("/staff/initiatives/new/").status_code == 403
    assert client.post("/staff/initiatives/new/", form(ward, world.works)).status_code == 403
    assert client.post(f"/staff/initiatives/{initiative.pk}/edit/", form(ward, world.works)).status_code == 403
    assert Initiative.objects.get().name == "Blitz" and not AuditEntry.objects.exists()


def test_another_agencys_initiative_is_not_there_for_its_staff_and_a_city_wide_one_is_for_everyone(
        world, people, ward):  # noqa: F811
    works = Initiative.objects.create(name="Works blitz", agency=world.works, area=ward, start=date(2026, 3, 1))
    Initiative.objects.create(name="City-wide cleanup", area=ward, start=date(2026, 3, 1))
    client = client_for(people["parks_sup"])
    listing = client.get("/staff/initiatives/").content.decode()
    assert "City-wide cleanup" in listing and "Works blitz" not in listing
    assert client.get(f"/staff/initiatives/{works.pk}/").status_code == 404
    assert client.get(f"/staff/initiatives/{works.pk}/edit/").status_code == 404
    assert client.post(f"/staff/initiatives/{works.pk}/edit/", form(ward, world.parks)).status_code == 404
    works.refresh_from_db()
    assert works.agency == world.works and works.name == "Works blitz"


def test_a_supervisor_cannot_make_an_initiative_for_another_agency_or_a_city_wide_one(world, people, ward):  # noqa: F811
    client = client_for(people["parks_sup"])
    for agency in (world.works, None):
        response = client.post("/staff/initiatives/new/", form(ward, agency))
        assert response.status_code == 400
        assert "The initiative was not saved" in response.content.decode()
    city_wide = Initiative.objects.create(name="City-wide cleanup", area=ward, start=date(2026, 3, 1))
    assert client.get(f"/staff/initiatives/{city_wide.pk}/edit/").status_code == 403
    assert Initiative.objects.count() == 1


def test_an_administrator_makes_a_city_wide_initiative_and_changes_any(world, people, ward):  # noqa: F811
    client = client_for(people["admin"])
    assert "City-wide (no agency)" in client.get("/staff/initiatives/new/").content.decode()
    assert client.post("/staff/initiatives/new/", form(ward, None)).status_code == 302
    city_wide = Initiative.objects.get()
    assert city_wide.agency is None
    works = Initiative.objects.create(name="Works blitz", agency=world.works, area=ward, start=date(2026, 3, 1))
    assert client.get(f"/staff/initiatives/{works.pk}/edit/").status_code == 200


def test_the_form_refuses_an_end_before_the_start_another_agencys_service_and_a_missing_area(world, people, ward):  # noqa: F811
    client = client_for(people["works_sup"])
    late = form(ward, world.works, **{"initiative-end": "2026-02-01"})
    response = client.post("/staff/initiatives/new/", late)
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    tree = form(ward, world.works, **{"initiative-services": [world.tree.pk]})
    assert client.post("/staff/initiatives/new/", tree).status_code == 400  # not a Public Works supervisor's choice
    admin = client_for(people["admin"])
    response = admin.post("/staff/initiatives/new/", tree)
    assert response.status_code == 400 and "belong to another agency" in response.content.decode()
    for bad in ({"initiative-area": "999999"}, {"initiative-area": "x"}, {"initiative-start": "2026-13-45"},
                {"initiative-name": ""}, {"initiative-agency": "abc"}):
        assert client.post("/staff/initiatives/new/", form(ward, world.works, **bad)).status_code == 400
    assert not Initiative.objects.exists()


def test_the_initiative_pages_use_the_staff_layout_with_the_current_page_marked(world, people, ward):  # noqa: F811
    initiative = Initiative.objects.create(name="Blitz", agency=world.works, area=ward, start=date(2026, 3, 1))
    client = client_for(people["works_sup"])
    for path in ("/staff/initiatives/", f"/staff/initiatives/{initiative.pk}/", "/staff/initiatives/new/",
                 f"/staff/initiatives/{initiative.pk}/edit/"):
        text = client.get(path).content.decode()
        assert 'href="/staff/initiatives/" aria-current="page"' in text, path
        assert 'href="/staff/"' in text and "Sign out" in text, path  # the way back to the inbox
    text = client.get("/staff/map/").content.decode()
    assert 'href="/staff/map/" aria-current="page"' in text and "Sign out" in text


def test_the_staff_map_has_a_key_for_every_layer_and_says_plainly_what_a_hotspot_is(world, people, ward):  # noqa: F811
    text = client_for(people["agent"]).get("/staff/map/").content.decode()
    for heading in ("Map key", "Requests", "Heat map", "Hotspots", "Boundaries"):
        assert f">{heading}</h" in text, heading
    assert "Unusually many requests here (95% confidence)" in text
    assert "Unusually few requests here (90% confidence or more)" in text
    assert "<summary>How hotspots are found</summary>" in text and "Getis-Ord Gi*" in text
    assert "about 250 m across" in text and "12 squares around it" in text
    assert ">Wards</li>" in text  # the boundary types of the active generation, as the map draws them


def test_hostile_values_in_every_field_of_the_initiative_form_are_a_400_never_a_500(world, people, ward):  # noqa: F811
    client = client_for(people["admin"])
    hostile = ["", "\x00", "x" * 6000, "-1", "9" * 40, "nan", "2026-02-30", "0000-00-00", "99999-01-01", "[]",
               "ü日本🚀\u202e", "' OR 1=1 --"]
    for name in ("name", "description", "agency", "area", "services", "start", "end"):
        for value in hostile:
            response = client.post("/staff/initiatives/new/", form(ward, world.works, **{f"initiative-{name}": value}))
            assert response.status_code in (302, 400), (name, value, response.status_code)
