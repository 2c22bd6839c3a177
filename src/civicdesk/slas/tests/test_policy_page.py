"""The Targets page: supervisors manage their own agencies' policies, administrators every agency's, agents none;
another agency's policy is not there; bad input is a 400 with the reasons."""

import pytest
from django.test import Client
from django.urls import reverse

from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.slas.models import Hours, SlaPolicy
from civicdesk.slas.tests.helpers import make_policy
from civicdesk.testing.factories import create_agency, create_service, create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db

GOOD = {"name": "Potholes", "service": "potholes", "priority": "", "channel": "", "first_response": "4",
        "next_response": "", "resolution": "45", "hours": "business", "pause_statuses": ["waiting"],
        "warn_percent": "80", "escalate_priority": "on", "is_active": "on"}


@pytest.fixture
def agencies():
    streets, parks = create_agency("streets"), create_agency("parks")
    create_service(streets, "potholes")
    return streets, parks


def test_a_supervisor_adds_and_changes_a_policy_of_their_agency(client, agencies):
    streets, parks = agencies
    client.force_login(create_staff("lead", role=StaffRole.SUPERVISOR, agencies=[streets]))
    page = client.get(reverse("inbox:sla-policies"))
    assert page.status_code == 200 and "Streets" in page.content.decode() and "Parks" not in page.content.decode()
    assert "Targets" in client.get(reverse("inbox:manage")).content.decode()
    answer = client.post(reverse("inbox:sla-policy-new", args=[streets.pk]), GOOD)
    assert answer.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.first_response_seconds, policy.resolution_seconds, policy.next_response_seconds) == (
        4 * 3600, 45 * 3600, None)
    assert policy.service.code == "potholes" and policy.escalate_priority and not policy.escalate_unassign
    assert policy.pause_statuses == ["waiting"] and policy.hours == Hours.BUSINESS
    assert AuditEntry.objects.filter(action=AuditAction.AGENCY_CHANGED).exists()
    edit = reverse("inbox:sla-policy", args=[streets.pk, policy.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**GOOD, "first_response": "2", "hours": "calendar"}).status_code == 302
    policy.refresh_from_db()
    assert (policy.first_response_seconds, policy.hours) == (7200, Hours.CALENDAR)
    assert client.post(reverse("inbox:sla-policy-delete", args=[streets.pk, policy.pk])).status_code == 302
    assert not SlaPolicy.objects.exists()


def test_another_agencys_policies_are_not_there_for_a_supervisor(client, agencies):
    streets, parks = agencies
    theirs = make_policy(parks)
    client.force_login(create_staff("lead", role=StaffRole.SUPERVISOR, agencies=[streets]))
    assert client.get(reverse("inbox:sla-policy", args=[parks.pk, theirs.pk])).status_code == 404
    assert client.get(reverse("inbox:sla-policy", args=[streets.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("inbox:sla-policy-delete", args=[parks.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("inbox:sla-policy-new", args=[parks.pk]), GOOD).status_code == 404
    assert SlaPolicy.objects.filter(pk=theirs.pk).exists()


def test_agents_cannot_open_the_page_and_administrators_see_every_agency(client, agencies):
    streets, parks = agencies
    client.force_login(create_staff("agent", agencies=[streets]))
    assert client.get(reverse("inbox:sla-policies")).status_code == 403
    assert client.get(reverse("inbox:sla-policy-new", args=[streets.pk])).status_code in (403, 404)
    admin = create_staff("admin")
    StaffProfile.objects.filter(user=admin).update(role=StaffRole.ADMIN)
    admin.refresh_from_db()
    client = staff_login(Client(), type(admin).objects.get(pk=admin.pk))  # past two-factor, for administrators
    answer = client.get(reverse("inbox:sla-policies"))
    assert answer.status_code == 200, (answer.status_code, answer.get("Location"))
    page = answer.content.decode()
    assert "Streets" in page and "Parks" in page


def test_bad_input_is_a_400_with_the_reasons(client, agencies):
    streets, _ = agencies
    client.force_login(create_staff("lead", role=StaffRole.SUPERVISOR, agencies=[streets]))
    url = reverse("inbox:sla-policy-new", args=[streets.pk])
    for bad in ({**GOOD, "first_response": "", "resolution": ""}, {**GOOD, "first_response": "-1"},
                {**GOOD, "service": "not-ours"}, {**GOOD, "warn_percent": "300"}, {**GOOD, "hours": "x"},
                {**GOOD, "first_response": "1e400"}, {**GOOD, "pause_statuses": ["resolved"]}):
        answer = client.post(url, bad)
        assert answer.status_code == 400, bad
        assert "The policy was not saved" in answer.content.decode()
    assert not SlaPolicy.objects.exists()
