"""Issue #10 item 12: staff see who else is viewing or replying on a case, shared by every process (the database)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.inbox.models import CasePresence
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db
TAB = "tab-0123456789"


@pytest.fixture
def case(world):
    world.works_agent2.first_name, world.works_agent2.last_name = "Sam", "Agent"
    world.works_agent2.save()
    return create_case(service=world.pothole, email="ann@example.com", subject="Hole", body="Deep")


def beat(client, case, state="viewing", tab=TAB):
    return client.post(f"/staff/cases/{case.number}/presence/", {"tab": tab, "state": state})


def test_a_colleague_on_the_case_is_shown_viewing_then_replying(world, works_client, case):
    sam = client_for(world.works_agent2)
    assert beat(sam, case).status_code == 200
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Sam Agent is viewing" in page
    assert "Sam Agent is viewing" in beat(works_client, case, tab="tab-wanda-0001").content.decode()
    beat(sam, case, "replying")
    answer = beat(works_client, case, tab="tab-wanda-0001").content.decode()
    assert "Sam Agent is replying" in answer and "is viewing" not in answer


def test_nobody_sees_themselves(world, works_client, case):
    assert "is viewing" not in beat(works_client, case).content.decode()


def test_a_second_tab_that_only_views_does_not_hide_that_they_are_replying(world, works_client, case):
    sam = client_for(world.works_agent2)
    beat(sam, case, "replying", tab="tab-sam-first")
    beat(sam, case, "viewing", tab="tab-sam-second")
    answer = beat(works_client, case, tab="tab-wanda-0001").content.decode()
    assert answer.count("Sam Agent") == 1 and "Sam Agent is replying" in answer


def test_leaving_ends_presence_at_once_and_silence_ends_it_within_half_a_minute(world, works_client, case):
    sam = client_for(world.works_agent2)
    beat(sam, case)
    assert sam.post(f"/staff/cases/{case.number}/presence/leave/", {"tab": TAB}).status_code == 204
    assert "Sam Agent" not in beat(works_client, case, tab="tab-wanda-0001").content.decode()
    beat(sam, case)
    CasePresence.objects.filter(user=world.works_agent2).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "Sam Agent" not in beat(works_client, case, tab="tab-wanda-0001").content.decode()
    assert not CasePresence.objects.filter(user=world.works_agent2).exists()  # stale rows are cleared
    row = CasePresence.objects.get(user=world.works_agent)
    assert timedelta(seconds=10) < row.expires_at - row.seen_at <= timedelta(seconds=30)


def test_a_heartbeat_that_arrives_after_the_leaving_beacon_does_not_bring_the_tab_back(world, works_client, case):
    sam = client_for(world.works_agent2)
    beat(sam, case, "replying")
    sam.post(f"/staff/cases/{case.number}/presence/leave/", {"tab": TAB})
    assert beat(sam, case).status_code == 200  # sent before the page left, answered after the beacon
    assert "Sam Agent" not in beat(works_client, case, tab="tab-wanda-0001").content.decode()
    assert beat(sam, case, tab="tab-sam-came-back").status_code == 200  # a new page (or one back from the cache)
    assert "Sam Agent is viewing" in beat(works_client, case, tab="tab-wanda-0001").content.decode()


def test_presence_is_only_for_staff_who_may_see_the_case(world, parks_client, case, client):
    assert beat(parks_client, case).status_code == 404
    assert not CasePresence.objects.exists()
    assert beat(client, case).status_code == 302  # signed out: to the sign-in page


@pytest.mark.parametrize("data", [{"tab": "x", "state": "viewing"}, {"tab": TAB, "state": "typing"},
                                  {"tab": TAB, "state": "gone"}, {}])
def test_a_malformed_heartbeat_is_a_clear_400(works_client, case, data):
    response = works_client.post(f"/staff/cases/{case.number}/presence/", data)
    assert response.status_code == 400 and not CasePresence.objects.exists()


def test_the_heartbeat_is_post_only(works_client, case):
    assert works_client.get(f"/staff/cases/{case.number}/presence/").status_code == 405


def test_the_page_has_a_polite_live_region_for_presence(works_client, case):
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'id="case-presence" role="status" aria-live="polite" aria-atomic="true"' in page
    assert f'data-cd-presence="/staff/cases/{case.number}/presence/"' in page
