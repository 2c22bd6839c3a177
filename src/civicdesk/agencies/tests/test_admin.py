"""Admins configure agencies, teams, services with their questions, mailboxes and staff in the Django admin."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from civicdesk.agencies.models import Agency, Service, StaffProfile, StaffRole, Team
from civicdesk.calendars.models import BusinessCalendar
from civicdesk.mail.models import Mailbox
from civicdesk.testing.factories import create_agency, create_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def inline(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The POST data of an admin inline formset with these new rows."""
    data: dict[str, Any] = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0,
                            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


@pytest.mark.parametrize("model", ["agencies/agency", "agencies/team", "agencies/service", "agencies/staffprofile",
                                   "mail/mailbox", "auth/user", "channels/inboundpayload", "cases/case",
                                   "contacts/contact", "audit/auditentry", "calendars/businesscalendar"])
def test_every_admin_list_and_add_page_renders(admin_client: Any, model: str) -> None:
    app, name = model.split("/")
    assert admin_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    add = admin_client.get(reverse(f"admin:{app}_{name}_add"))
    assert add.status_code in (200, 403)  # payloads and audit entries are not added by hand


def test_agency_with_parent_and_teams(admin_client: Any) -> None:
    city = create_agency("city", "City of Riverbend")
    response = admin_client.post(reverse("admin:agencies_agency_add"), {
        "slug": "water", "name": "Water Department", "parent": city.pk, "email": "", "phone": "",
        "description": "", "is_active": "on", **inline("teams", [{"name": "Leak crew"}, {"name": "Meters"}])})
    assert response.status_code == 302, response.content
    water = Agency.objects.get(slug="water")
    assert water.parent == city and set(water.teams.values_list("name", flat=True)) == {"Leak crew", "Meters"}


def test_an_agency_cannot_be_its_own_ancestor(admin_client: Any) -> None:
    city = create_agency("city")
    water = create_agency("water", parent=city)
    response = admin_client.post(reverse("admin:agencies_agency_change", args=[city.pk]), {
        "slug": "city", "name": "City", "parent": water.pk, "is_active": "on", **inline("teams", [])})
    assert response.status_code == 200 and b"cannot be its own parent" in response.content
    city.refresh_from_db()
    assert city.parent is None


def service_data(**attribute: Any) -> dict[str, Any]:
    agency = Agency.objects.first() or create_agency("public-works")
    return {"code": "graffiti", "name": "Graffiti", "description": "Paint on walls", "group": "Streets",
            "keywords": "tag, spray", "agency": agency.pk, "is_active": "on", "is_realtime": "on",
            **inline("attributes", [{"code": "surface", "datatype": "singlevaluelist", "description": "Surface",
                                     "variable": "on", "order": 0, "values": "[]", **attribute}])}


def test_service_with_a_list_question(admin_client: Any) -> None:
    values = '[{"key": "wall", "name": "Wall"}, {"key": "sign", "name": "Sign"}]'
    response = admin_client.post(reverse("admin:agencies_service_add"), service_data(values=values, required="on"))
    assert response.status_code == 302, response.content
    service = Service.objects.get(code="graffiti")
    assert service.keyword_list == ["tag", "spray"]
    attribute = service.attributes.get()
    assert attribute.required and attribute.value_keys == ["wall", "sign"]
    form = admin_client.get(reverse("portal:service_request", args=["graffiti"]))
    assert b"Surface" in form.content and b"Sign" in form.content


@pytest.mark.parametrize(("values", "message"), [
    ("[]", b"List the answers"),
    ('["wall", "sign"]', b"needs a &quot;key&quot;"),
    ('[{"key": "a"}, {"key": "a"}]', b"different key"),
])
def test_a_list_question_needs_keyed_answers(admin_client: Any, values: str, message: bytes) -> None:
    response = admin_client.post(reverse("admin:agencies_service_add"), service_data(values=values))
    assert response.status_code == 200 and message in response.content
    assert not Service.objects.exists()


def test_mailbox(admin_client: Any) -> None:
    agency = create_agency("311")
    response = admin_client.post(reverse("admin:mail_mailbox_add"), {
        "address": "311@riverbend.example", "display_name": "Riverbend 311", "agency": agency.pk, "is_active": "on",
        "imap_host": "imap.riverbend.example", "imap_port": 993, "imap_ssl": "on", "imap_username": "311",
        "imap_password": "secret", "imap_folder": "INBOX"})
    assert response.status_code == 302, response.content
    mailbox = Mailbox.objects.get()
    assert mailbox.agency == agency and mailbox.imap_password == "secret"


def test_staff_member_with_role_agencies_and_teams(admin_client: Any) -> None:
    parks = create_agency("parks")
    crew = create_team(parks, "Tree crew")
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": "agent.new", "usable_password": "true", "password1": "a-Long-pass-93", "password2":
        "a-Long-pass-93", **inline("staff", [{"role": StaffRole.SUPERVISOR, "agencies": [parks.pk],
                                              "teams": [crew.pk]}])})
    assert response.status_code == 302, response.content
    profile = StaffProfile.objects.get(user=User.objects.get(username="agent.new"))
    assert profile.role == StaffRole.SUPERVISOR
    assert list(profile.agencies.all()) == [parks] and list(profile.teams.all()) == [crew]
    assert Team.objects.count() == 1


def test_business_hours_must_close_after_they_open(admin_client: Any) -> None:
    water = create_agency("water")
    calendar = BusinessCalendar.objects.create(agency=water)
    response = admin_client.post(reverse("admin:calendars_businesscalendar_change", args=[calendar.pk]), {
        "agency": water.pk, "time_zone": "America/New_York", "holiday_country": "US", "holiday_subdivision": "",
        "ical_url": "", **inline("intervals", [{"weekday": 0, "opens": "17:00", "closes": "08:00"}]),
        **inline("closures", [])})
    assert response.status_code == 200 and b"The closing time must come after the opening time." in response.content
    assert not calendar.intervals.exists()
