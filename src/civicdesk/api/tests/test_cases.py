"""The case endpoints: list and search, one case with its timeline, and the agent actions, all agency-scoped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.cases import actions, transfers
from civicdesk.cases.models import CaseStatus, Direction, Message
from civicdesk.testing.factories import create_agency, create_case

from .conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_list_items_carry_the_named_fields(works_api, works_case):
    body = works_api.get("/api/cases").json()
    assert body["count"] == 1 and body["page"] == 1 and body["has_next"] is False
    item = body["items"][0]
    assert item["number"] == works_case.number
    assert item["channel"] == "web" and item["status"] == "new"
    assert item["agency"] == "public-works" and item["service"] == "pothole"
    assert item["created"].startswith(str(works_case.created_at.year))
    assert item["contact"]["id"] == works_case.contact_id


def test_list_filters_and_text_search(world, works_api, works_case):
    email_case = create_case(channel="email", agency_slug="public-works", subject="Broken streetlight",
                             body="The lamp on Oak Avenue flickers.", email="carol@example.com")
    actions.change_status(email_case, actor=world.works_agent, status=CaseStatus.IN_PROGRESS)

    def numbers(**params):
        response = works_api.get("/api/cases", params)
        assert response.status_code == 200, response.content
        return {item["number"] for item in response.json()["items"]}

    assert numbers() == {works_case.number, email_case.number}
    assert numbers(channel="email") == {email_case.number}
    assert numbers(status="in_progress") == {email_case.number}
    assert numbers(service="pothole") == {works_case.number}
    assert numbers(agency="public-works") == {works_case.number, email_case.number}
    assert numbers(q="streetlight") == {email_case.number}
    assert numbers(q="pothole school") == {works_case.number}
    assert numbers(q=works_case.number) == {works_case.number}
    assert works_api.get("/api/cases", {"channel": "pigeon"}).status_code == 400


def test_list_query_count_is_flat(world, works_api):
    for n in range(3):
        create_case(service=world.pothole, subject=f"Pothole {n}", email=f"r{n}@example.com")
    works_api.get("/api/cases")  # the token's first use is stamped once; later requests only read
    with CaptureQueriesContext(connection) as few:
        assert works_api.get("/api/cases").status_code == 200
    for n in range(3, 15):
        create_case(service=world.pothole, subject=f"Pothole {n}", email=f"r{n}@example.com")
    with CaptureQueriesContext(connection) as many:
        assert len(works_api.get("/api/cases").json()["items"]) == 15
    assert len(many) == len(few) <= 10


def test_one_case_with_its_timeline(world, works_api, works_case):
    actions.add_note(works_case, author=world.works_agent, text="Crew booked for Tuesday.")
    actions.change_status(works_case, actor=world.works_agent, status=CaseStatus.IN_PROGRESS)
    body = works_api.get(f"/api/cases/{works_case.number.lower()}").json()
    assert body["number"] == works_case.number
    assert body["description"] == "Deep pothole near the school."
    kinds = [entry["kind"] for entry in body["timeline"]]
    assert kinds[0] in ("in", "event") and "note" in kinds and "event" in kinds
    note = next(e for e in body["timeline"] if e["kind"] == "note")
    assert note["text"] == "Crew booked for Tuesday." and note["author"] == world.works_agent.username
    status = next(e for e in body["timeline"] if e.get("action") == "status_changed")
    assert status["before"] == {"status": "new"} and status["after"] == {"status": "in_progress"}


def test_reply_goes_out_through_the_channel_of_origin(world, works_api, works_case):
    response = works_api.post(f"/api/cases/{works_case.number}/replies", {"text": "We will fill it this week."})
    assert response.status_code == 201, response.content
    sent = Message.objects.get(pk=response.json()["id"])
    assert sent.direction == Direction.OUTBOUND and sent.author == world.works_agent
    assert sent.channel == "email"  # a portal case with an email address is answered by email
    assert response.json()["delivery_status"] in ("queued", "sending", "sent")
    assert works_api.post(f"/api/cases/{works_case.number}/replies", {"text": ""}).status_code == 422


def test_note_assign_status_priority_and_transfer(world, works_api, works_case):
    number = works_case.number
    assert works_api.post(f"/api/cases/{number}/notes", {"text": "Internal only"}).status_code == 201
    assigned = works_api.post(f"/api/cases/{number}/assign",
                              {"assignee": world.works_agent2.username, "team": world.works_team.pk})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignee"] == world.works_agent2.username and assigned.json()["status"] == "open"
    bad = works_api.post(f"/api/cases/{number}/assign", {"assignee": world.parks_agent.username})
    assert bad.status_code == 400 and "assignee" in bad.json()["detail"]
    assert works_api.post(f"/api/cases/{number}/assign", {"team": world.parks_team.pk}).status_code == 400
    assert works_api.post(f"/api/cases/{number}/status", {"status": "waiting"}).json()["status"] == "waiting"
    assert works_api.post(f"/api/cases/{number}/status", {"status": "done"}).status_code == 422
    assert works_api.post(f"/api/cases/{number}/priority", {"priority": "urgent"}).json()["priority"] == "urgent"
    assert works_api.post(f"/api/cases/{number}/transfer", {"agency": "nowhere", "reason": "x"}).status_code == 400
    assert works_api.post(f"/api/cases/{number}/transfer", {"agency": "parks"}).status_code == 422
    moved = works_api.post(f"/api/cases/{number}/transfer", {"agency": "parks", "reason": "It is a park path."})
    assert moved.status_code == 200 and moved.json()["agency"] == "parks" and moved.json()["assignee"] is None
    works_case.refresh_from_db()
    assert works_case.agency == world.parks and works_case.status == "waiting" and works_case.priority == "urgent"
    assert works_case.transfers.get().reason == "It is a park path."


def test_agent_cannot_reach_another_agencys_case(world, parks_api, works_case, parks_case):
    listed = {item["number"] for item in parks_api.get("/api/cases").json()["items"]}
    assert listed == {parks_case.number}
    assert parks_api.get("/api/cases", {"agency": "public-works"}).json()["items"] == []
    assert parks_api.get(f"/api/cases/{works_case.number}").status_code == 404
    for path, data in [("replies", {"text": "hi"}), ("notes", {"text": "x"}), ("status", {"status": "closed"}),
                       ("assign", {"assignee": None}), ("priority", {"priority": "low"}),
                       ("transfer", {"agency": "parks", "reason": "mine now"})]:
        response = parks_api.post(f"/api/cases/{works_case.number}/{path}", data)
        assert response.status_code == 404, (path, response.status_code)
    works_case.refresh_from_db()
    assert works_case.status == "new" and works_case.agency == world.works and works_case.priority == "normal"
    assert not works_case.messages.filter(direction__in=[Direction.OUTBOUND, Direction.NOTE],
                                          is_automatic=False).exists()


def test_transferred_case_stays_visible_to_the_old_agency_but_read_only(world, works_api, works_case):
    transfers.transfer(works_case, actor=world.supervisor, to_agency=world.parks, reason="Park land")
    assert works_api.get(f"/api/cases/{works_case.number}").status_code == 200
    response = works_api.post(f"/api/cases/{works_case.number}/notes", {"text": "still mine?"})
    assert response.status_code == 403
    parks_api = api_client_for(world.parks_agent)
    assert parks_api.post(f"/api/cases/{works_case.number}/notes", {"text": "ours now"}).status_code == 201


def test_supervisor_and_admin_scope(world, works_case, parks_case):
    create_agency("housing", "Housing")
    outside = create_case(agency_slug="housing", subject="Not theirs", email="d@example.com")
    supervisor = {i["number"] for i in api_client_for(world.supervisor).get("/api/cases").json()["items"]}
    assert supervisor == {works_case.number, parks_case.number}
    admin = {i["number"] for i in api_client_for(world.admin).get("/api/cases").json()["items"]}
    assert {works_case.number, parks_case.number, outside.number} <= admin
