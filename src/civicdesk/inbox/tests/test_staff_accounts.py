"""Administrators manage staff accounts in the staff pages: create (a set-password link by email), change role,
agencies and teams, send a new link, deactivate; superusers' accounts stay with superusers."""

import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.mail.models import CapturedEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "civicdesk.mail.outbox.OutboxBackend"  # mail is kept as CapturedEmail rows
User = get_user_model()


def new_account(client, world, **overrides):
    data = {"username": "nina", "first_name": "Nina", "last_name": "Park", "email": "nina@staff.example",
            "role": "agent", "agencies": [world.works.pk], "teams": [world.works_team.pk], **overrides}
    return client.post("/staff/people/new/", data)


def test_an_admin_creates_a_staff_member_who_sets_a_password_by_the_emailed_link(world, admin_client_, caplog,
                                                                                  django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = new_account(admin_client_, world)
    user = User.objects.get(username="nina")
    assert response.status_code == 302 and response["Location"] == f"/staff/people/{user.pk}/"
    assert not user.has_usable_password() and user.staff.role == StaffRole.AGENT
    assert list(user.staff.agencies.all()) == [world.works] and list(user.staff.teams.all()) == [world.works_team]
    mail = CapturedEmail.objects.get(recipients__contains="nina@staff.example")
    assert mail.case is None  # only superusers read mail about no case in the outbox
    link = re.search(r"https?://\S+(/staff/password/reset/\S+/\S+/)", mail.text).group(1)
    assert link not in caplog.text and link not in str(list(AuditEntry.objects.values_list("after", flat=True)))
    created = AuditEntry.objects.get(action=AuditAction.STAFF_CREATED)
    assert created.staff == user and created.actor == world.admin and created.after["teams"] == [str(world.works_team)]
    browser = Client()
    form = browser.get(link, follow=True)
    assert form.status_code == 200
    chosen = "a long new passphrase 42"
    browser.post(form.redirect_chain[-1][0], {"new_password1": chosen, "new_password2": chosen})
    user.refresh_from_db()
    assert user.check_password(chosen) and chosen not in caplog.text


def test_an_admin_changes_a_role_and_the_change_is_audited(world, admin_client_):
    response = admin_client_.post(f"/staff/people/{world.works_agent.pk}/", {
        "first_name": "Wanda", "last_name": "Lane", "email": "wanda@staff.example", "role": "supervisor",
        "agencies": [world.works.pk, world.parks.pk], "teams": [world.works_team.pk]})
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=world.works_agent)
    assert profile.role == StaffRole.SUPERVISOR and set(profile.agencies.all()) == {world.works, world.parks}
    entry = AuditEntry.objects.get(action=AuditAction.STAFF_CHANGED, staff=world.works_agent)
    assert entry.before["role"] == "agent" and entry.after["role"] == "supervisor"
    assert "first_name" in entry.after and "teams" not in entry.after
    page = admin_client_.get(f"/staff/people/{world.works_agent.pk}/").content.decode()
    assert "Staff member changed" in page


def test_a_team_outside_the_ticked_agencies_is_refused(world, admin_client_):
    response = new_account(admin_client_, world, teams=[world.parks_team.pk])
    assert response.status_code == 400 and "Each team must belong to one of the ticked agencies." in \
        response.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_a_taken_username_is_refused_whatever_its_case(world, admin_client_):
    assert new_account(admin_client_, world, username="WANDA").status_code == 400


def test_an_admin_deactivates_and_reactivates_an_account_but_not_their_own(world, admin_client_, works_client):
    assert admin_client_.post(f"/staff/people/{world.works_agent.pk}/active/", {}).status_code == 302
    world.works_agent.refresh_from_db()
    assert not world.works_agent.is_active
    assert works_client.get("/staff/").status_code == 302  # the open session ends
    assert Client().post("/staff/login/", {"username": "wanda", "password": "demo"}).status_code == 200  # refused
    admin_client_.post(f"/staff/people/{world.works_agent.pk}/active/", {"active": "on"})
    world.works_agent.refresh_from_db()
    assert world.works_agent.is_active
    admin_client_.post(f"/staff/people/{world.admin.pk}/active/", {})
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_an_admin_cannot_change_their_own_role(world, admin_client_):
    response = admin_client_.post(f"/staff/people/{world.admin.pk}/", {
        "email": "boss@staff.example", "role": "agent"})
    assert response.status_code == 400 and StaffProfile.objects.get(user=world.admin).role == StaffRole.ADMIN


def test_a_new_set_password_link_is_sent_and_audited(world, admin_client_, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(f"/staff/people/{world.works_agent.pk}/password-link/").status_code == 302
    assert CapturedEmail.objects.filter(recipients__contains="wanda@staff.example").exists()
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_LINK_SENT, staff=world.works_agent).exists()
    world.works_agent.refresh_from_db()
    assert world.works_agent.check_password("demo")  # the old password works until a new one is chosen


def test_the_staff_list_finds_people_by_name_or_email(world, admin_client_):
    page = admin_client_.get("/staff/people/?q=walt").content.decode()
    assert "walt" in page and "wanda" not in page
