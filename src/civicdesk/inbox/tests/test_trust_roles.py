"""Role trust: supervisors run only their own agencies' teams, agents none; administrators manage staff accounts, and
only superusers touch a superuser's; set-password links reach nobody else; a pending transfer opens nothing."""

import pytest
from django.contrib.auth import get_user_model

from civicdesk.agencies.actions import create_staff as create_account
from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.cases import transfers
from civicdesk.mail.models import CapturedEmail
from civicdesk.mail.queries import readable_outbox
from civicdesk.testing.factories import create_case, create_staff

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "civicdesk.mail.outbox.OutboxBackend"  # mail is kept as CapturedEmail rows
User = get_user_model()


def new_account(client, world, **overrides):
    data = {"username": "nina", "first_name": "Nina", "last_name": "Park", "email": "nina@staff.example",
            "role": "agent", "agencies": [world.works.pk], "teams": [world.works_team.pk], **overrides}
    return client.post("/staff/people/new/", data)


def test_a_supervisor_of_one_agency_cannot_manage_another_agencys_people(world):
    parks_sup = create_staff("parksy", role=StaffRole.SUPERVISOR, agencies=[world.parks])
    client = client_for(parks_sup)
    assert client.post(f"/staff/team/members/{world.works_agent.pk}/away/", {"away": "on"}).status_code == 404
    assert client.post(f"/staff/team/teams/{world.works_team.pk}/remove/",
                       {"member": world.works_agent.pk}).status_code == 404
    assert client.post(f"/staff/team/agencies/{world.works.pk}/transfer-approval/",
                       {"required": "on"}).status_code == 404
    assert not StaffProfile.objects.get(user=world.works_agent).away
    page = client.get("/staff/team/?agency=public-works").content.decode()
    assert "wanda" not in page and "pat" in page


def test_an_agent_is_refused_the_team_actions_of_their_own_agency(world, works_client):
    assert works_client.post(f"/staff/team/members/{world.works_agent2.pk}/away/", {"away": "on"}).status_code == 403
    assert works_client.post(f"/staff/team/agencies/{world.works.pk}/transfer-approval/",
                             {"required": "on"}).status_code == 403
    assert not StaffProfile.objects.get(user=world.works_agent2).away


def test_a_supervisor_cannot_change_an_administrators_away_status(world):
    boss = create_staff("chief", role=StaffRole.ADMIN, agencies=[world.works])
    response = client_for(world.supervisor).post(f"/staff/team/members/{boss.pk}/away/", {"away": "on"})
    assert response.status_code == 403


def test_agents_get_the_403_page_on_the_team_transfer_and_staff_pages(works_client):
    for url in ("/staff/team/", "/staff/transfers/", "/staff/people/", "/staff/people/new/"):
        response = works_client.get(url)
        assert response.status_code == 403 and "You cannot open this page" in response.content.decode()


def test_supervisors_and_agents_cannot_create_or_change_accounts(world):
    for user in (world.supervisor, world.works_agent):
        client = client_for(user)
        assert new_account(client, world).status_code == 403
        assert client.post(f"/staff/people/{world.works_agent2.pk}/", {
            "email": "x@example.com", "role": "admin"}).status_code == 403
        assert client.post(f"/staff/people/{world.works_agent2.pk}/active/", {}).status_code == 403
    assert not User.objects.filter(username="nina").exists()
    assert StaffProfile.objects.get(user=world.works_agent2).role == StaffRole.AGENT


def test_a_role_admin_manages_staff_but_not_a_superusers_account(world):
    ada = create_staff("ada", role=StaffRole.AGENT, agencies=[world.works])
    StaffProfile.objects.filter(user=ada).update(role=StaffRole.ADMIN)
    ada.refresh_from_db()
    client = client_for(ada)
    assert client.get(f"/staff/people/{world.works_agent.pk}/").status_code == 200
    assert client.get(f"/staff/people/{world.admin.pk}/").status_code == 403  # a superuser
    assert client.post(f"/staff/people/{world.admin.pk}/active/", {}).status_code == 403
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_the_set_password_link_in_the_outbox_is_for_superusers_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create_account(actor=world.admin, username="nina", email="nina@staff.example", agencies=[world.works])
    mail = CapturedEmail.objects.get(recipients__contains="nina@staff.example")
    ada = create_staff("ada", agencies=[world.works])
    StaffProfile.objects.filter(user=ada).update(role=StaffRole.ADMIN)
    ada = User.objects.get(pk=ada.pk)
    for reader in (ada, world.supervisor, world.works_agent):
        assert mail not in readable_outbox(reader)
    assert mail in readable_outbox(world.admin)


def test_a_pending_transfer_shows_the_receiving_agency_nothing(world):
    world.works.transfer_approval_required = True
    world.works.save()
    case = create_case(service=world.pothole, subject="Zanzibar branch", email="z@example.com")
    transfers.request_transfer(case, actor=world.works_agent, to_agency=world.parks, reason="Zanzibar tree")
    parks = client_for(world.parks_agent)
    assert parks.get(f"/staff/cases/{case.number}/").status_code == 404
    assert "Zanzibar" not in parks.get("/staff/").content.decode()
    parks_sup = create_staff("parksy", role=StaffRole.SUPERVISOR, agencies=[world.parks])
    assert "Zanzibar" not in client_for(parks_sup).get("/staff/transfers/").content.decode()
