"""Agency scoping by URL: agents see their agencies' cases, supervisors theirs, admins all, and transfer trails stay."""

import pytest

from civicdesk.cases import actions, transfers
from civicdesk.cases.models import Direction
from civicdesk.testing.factories import create_case

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def works_case(world):
    return create_case(service=world.pothole, subject="Pothole", email="a@example.com")


@pytest.fixture
def parks_case(world):
    return create_case(service=world.tree, subject="Tree", email="b@example.com")


def test_parks_agent_gets_404_on_a_public_works_case(parks_client, works_case):
    assert parks_client.get(f"/staff/cases/{works_case.number}/").status_code == 404
    response = parks_client.post(f"/staff/cases/{works_case.number}/reply/", {"text": "Hello"})
    assert response.status_code in (403, 404)
    assert not works_case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()
    for action, data in [("note", {"text": "x"}), ("status", {"status": "closed"}), ("priority", {"priority": "low"})]:
        assert parks_client.post(f"/staff/cases/{works_case.number}/{action}/", data).status_code in (403, 404)
    works_case.refresh_from_db()
    assert works_case.status == "new" and works_case.priority == "normal"


def test_inbox_lists_only_visible_cases(parks_client, works_case, parks_case):
    listed = [c.number for c in parks_client.get("/staff/").context["cases"]]
    assert listed == [parks_case.number]


def test_supervisor_sees_their_agencies_and_admin_sees_all(world, works_case, parks_case):
    other = create_case(agency_slug="public-works", subject="x", email="c@example.com")
    police = create_case(agency_slug="311", subject="Not ours", email="d@example.com")  # default queue
    supervisor = client_for(world.supervisor)
    seen = {c.number for c in supervisor.get("/staff/").context["cases"]}
    assert {works_case.number, parks_case.number, other.number} <= seen
    admin = client_for(world.admin)
    assert police.number in {c.number for c in admin.get("/staff/").context["cases"]}
    for number in (works_case.number, parks_case.number):
        assert supervisor.get(f"/staff/cases/{number}/").status_code == 200
        assert admin.get(f"/staff/cases/{number}/").status_code == 200


def test_transferred_from_agency_still_sees_the_trail_but_cannot_act(works_client, parks_client, world, works_case):
    transfers.transfer(works_case, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    # not under "All" (cases they may act on) but under "Read only", marked so
    assert works_case.number not in [c.number for c in works_client.get("/staff/").context["cases"]]
    read_only = works_client.get("/staff/?view=read_only")
    assert [c.number for c in read_only.context["cases"]] == [works_case.number]
    assert "cd-read-only" in read_only.content.decode()
    page = works_client.get(f"/staff/cases/{works_case.number}/")
    assert page.status_code == 200 and "Park land" in page.content.decode()
    assert 'action="/staff/cases/' not in page.content.decode()  # no action forms
    assert works_client.post(f"/staff/cases/{works_case.number}/reply/", {"text": "x"}).status_code == 403
    assert parks_client.get(f"/staff/cases/{works_case.number}/").status_code == 200


def test_a_case_assigned_to_someone_outside_the_agency_is_theirs(world, works_case):
    actions.assign(works_case, actor=world.admin, assignee=world.parks_agent)
    parks = client_for(world.parks_agent)
    assert parks.get(f"/staff/cases/{works_case.number}/").status_code == 200
    assert parks.post(f"/staff/cases/{works_case.number}/note/", {"text": "ok"}).status_code == 302


def test_unknown_case_is_404(works_client, world):
    assert works_client.get("/staff/cases/CD-1999-000001/").status_code == 404
