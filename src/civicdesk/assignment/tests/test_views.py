"""The team's assignment settings page: its agency's supervisors only, validated, saved with an audit entry; and an
agent marking themself away and back from the inbox."""

import pytest
from django.urls import reverse

from civicdesk.assignment.models import AssignmentMode, TeamAgent, TeamAssignment
from civicdesk.assignment.tests.conftest import rule
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.testing.factories import create_staff, create_team
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


def client_for(user):
    from django.test import Client

    return staff_login(Client(), user)


def url(team) -> str:
    return reverse("inbox:team-assignment", args=[team.pk])


def test_a_supervisor_of_the_agency_sees_and_saves_the_settings(desk):
    client = client_for(desk.supervisor)
    page = client.get(url(desk.crew))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Assignment of Road crew" in text and "Ana Ruiz" in text and "No: not at the desk" in text
    answer = client.post(url(desk.crew), {"mode": AssignmentMode.LEAST_OPEN, "capacity": "6",
                                          "return_when_away": "on", f"own_{desk.ben.pk}": "2"})
    assert answer.status_code == 302
    policy = TeamAssignment.objects.get(team=desk.crew)
    assert (policy.mode, policy.capacity, policy.return_when_away) == (AssignmentMode.LEAST_OPEN, 6, True)
    assert TeamAgent.objects.get(team=desk.crew, user=desk.ben).capacity == 2
    entry = AuditEntry.objects.filter(action=AuditAction.AGENCY_CHANGED).latest("pk")
    assert entry.actor == desk.supervisor and entry.after["mode"] == AssignmentMode.LEAST_OPEN
    assert entry.after[f"capacity:{desk.ben.pk}"] == 2
    assert "Assignment: least open cases first, up to 6 open cases per agent." in \
        client.get(reverse("inbox:team")).content.decode()


@pytest.mark.parametrize("data", [{"mode": "random", "capacity": "5"}, {"mode": "round_robin", "capacity": "0"},
                                  {"mode": "round_robin", "capacity": "nan"},
                                  {"mode": "round_robin", "capacity": "5", "own_{ben}": "-1"},
                                  {"mode": "round_robin", "capacity": "99999"}])
def test_bad_settings_are_refused_with_a_400_and_nothing_is_saved(desk, data):
    data = {key.format(ben=desk.ben.pk): value for key, value in data.items()}
    answer = client_for(desk.supervisor).post(url(desk.crew), data)
    assert answer.status_code == 400
    assert 'class="usa-error-message"' in answer.content.decode()
    assert not TeamAssignment.objects.exists() and not TeamAgent.objects.exists()


def test_another_agencys_supervisor_gets_a_404_and_an_agent_a_403(desk):
    for user, status in ((desk.parks_supervisor, 404), (desk.ana, 403)):
        client = client_for(user)
        assert client.get(url(desk.crew)).status_code == status
        assert client.post(url(desk.crew), {"mode": "round_robin", "capacity": "5"}).status_code == status
    assert not TeamAssignment.objects.exists()


def test_a_supervisor_of_one_agency_only_reaches_its_teams(desk):
    parks_team = create_team(desk.parks, "Tree crew")
    client = client_for(desk.supervisor)
    assert client.get(url(parks_team)).status_code == 404
    both = create_staff("both", role="supervisor", agencies=[desk.works, desk.parks])
    assert client_for(both).get(url(parks_team)).status_code == 200


def test_an_agent_marks_themself_away_and_back_from_the_inbox(desk, django_capture_on_commit_callbacks):
    rule(desk.crew, AssignmentMode.ROUND_ROBIN)
    client = client_for(desk.ana)
    assert "Mark me away" in client.get(reverse("inbox:inbox")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("inbox:my-away"), {"away": "on", "next": "/staff/?view=mine"})
    assert answer.status_code == 302 and answer["Location"] == "/staff/?view=mine"
    desk.ana.staff.refresh_from_db()
    assert desk.ana.staff.is_away
    assert "I am back" in client.get(reverse("inbox:inbox")).content.decode()
    answer = client.post(reverse("inbox:my-away"), {"next": "https://evil.example/"})
    assert answer["Location"] == reverse("inbox:inbox")
    desk.ana.staff.refresh_from_db()
    assert not desk.ana.staff.is_away
    assert AuditEntry.objects.filter(action=AuditAction.STAFF_AWAY_CHANGED, staff=desk.ana).count() == 2
