"""Tags, links and merges through the API: audited through cases.actions like the staff pages, scoped per agency
(404 for a case the caller cannot see, 403 for one they may only read), and a 409 when the case refuses."""

import pytest

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions, transfers
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def delete(api, path):
    return api.client.delete(path)


def test_tags_are_added_and_removed_and_audited(world, works_api, works_case):
    response = works_api.post(f"/api/cases/{works_case.number}/tags", {"tag": " Lane Blocked "})
    assert response.status_code == 200, response.content
    assert response.json() == {"number": works_case.number, "tags": ["lane-blocked"]}
    works_api.post(f"/api/cases/{works_case.number}/tags", {"tag": "lane blocked"})  # no change, no entry
    entry = AuditEntry.objects.get(case=works_case, action=AuditAction.TAGS_CHANGED)
    assert entry.actor == world.works_agent and entry.after == {"tags": ["lane-blocked"]}
    assert works_api.get("/api/tags").json() == ["lane-blocked"]
    response = delete(works_api, f"/api/cases/{works_case.number}/tags/LANE%20BLOCKED")
    assert response.status_code == 200 and response.json()["tags"] == []
    assert AuditEntry.objects.filter(case=works_case, action=AuditAction.TAGS_CHANGED).count() == 2
    assert delete(works_api, f"/api/cases/{works_case.number}/tags/never-used").status_code == 200
    assert works_api.post(f"/api/cases/{works_case.number}/tags", {"tag": "   "}).status_code in (400, 422)


def test_tags_of_cases_the_caller_cannot_see_are_not_listed(world, works_api, parks_api, works_case, parks_case):
    actions.set_tags(parks_case, actor=world.parks_agent, names=["parks secret"])
    actions.set_tags(works_case, actor=world.works_agent, names=["pothole"])
    assert works_api.get("/api/tags").json() == ["pothole"]
    assert parks_api.get("/api/tags").json() == ["parks-secret"]


def test_linking_two_cases_both_ways(world, works_api, works_case, parks_case):
    other = create_case(service=world.pothole, subject="Same street", email="c@example.com")
    response = works_api.post(f"/api/cases/{works_case.number}/links", {"number": other.number.lower()})
    assert response.status_code == 200 and response.json() == {"number": works_case.number,
                                                                "related": [other.number]}
    assert list(other.related.values_list("number", flat=True)) == [works_case.number]
    assert AuditEntry.objects.filter(action=AuditAction.LINKED, actor=world.works_agent).count() == 2


def test_merging_a_case_into_another(world, works_api, works_case):
    duplicate = create_case(service=world.pothole, subject="Pothole again", email="d@example.com")
    response = works_api.post(f"/api/cases/{duplicate.number}/merge", {"number": works_case.number})
    assert response.status_code == 200 and response.json()["number"] == works_case.number
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == works_case.pk and duplicate.status == CaseStatus.CLOSED
    assert AuditEntry.objects.get(case=duplicate, action=AuditAction.MERGED_INTO).actor == world.works_agent
    again = works_api.post(f"/api/cases/{duplicate.number}/merge", {"number": works_case.number})
    assert again.status_code == 409 and "was merged into" in again.json()["detail"]
    tagged = works_api.post(f"/api/cases/{duplicate.number}/tags", {"tag": "late"})
    assert tagged.status_code == 409 and "merged into" in tagged.json()["detail"]
    itself = works_api.post(f"/api/cases/{works_case.number}/merge", {"number": works_case.number})
    assert itself.status_code == 409


def test_an_agent_cannot_tag_link_or_merge_another_agency_case(world, parks_api, works_case, parks_case):
    """Pat (Parks) cannot see a Public Works case: every write on it, on either side, is a 404, and nothing changes."""
    calls = [
        (f"/api/cases/{works_case.number}/tags", {"tag": "mine now"}),
        (f"/api/cases/{works_case.number}/links", {"number": parks_case.number}),
        (f"/api/cases/{parks_case.number}/links", {"number": works_case.number}),
        (f"/api/cases/{works_case.number}/merge", {"number": parks_case.number}),
        (f"/api/cases/{parks_case.number}/merge", {"number": works_case.number}),
    ]
    for path, body in calls:
        response = parks_api.post(path, body)
        assert response.status_code == 404, (path, response.content)
        assert works_case.number in response.json()["detail"]
    assert delete(parks_api, f"/api/cases/{works_case.number}/tags/x").status_code == 404
    works_case.refresh_from_db()
    assert works_case.merged_into_id is None and not works_case.tags.exists() and not works_case.related.exists()
    assert not AuditEntry.objects.filter(actor=world.parks_agent).exists()


def test_a_case_transferred_away_is_read_only_a_403(world, works_api, parks_case):
    moved = create_case(service=world.pothole, subject="Park path", email="m@example.com")
    transfers.transfer(moved, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    mine = create_case(service=world.pothole, subject="Mine", email="n@example.com")
    assert works_api.post(f"/api/cases/{moved.number}/tags", {"tag": "x"}).status_code == 403
    assert works_api.post(f"/api/cases/{moved.number}/merge", {"number": mine.number}).status_code == 403
    assert works_api.post(f"/api/cases/{mine.number}/merge", {"number": moved.number}).status_code == 403
    # linking needs only to see the other case, as on the case page
    assert works_api.post(f"/api/cases/{mine.number}/links", {"number": moved.number}).status_code == 200
    assert not Case.objects.filter(merged_into__isnull=False).exists()


def test_status_back_to_new_is_a_409_in_plain_words(world, works_api, works_case):
    actions.change_status(works_case, actor=world.works_agent, status=CaseStatus.OPEN)
    response = works_api.post(f"/api/cases/{works_case.number}/status", {"status": "new"})
    assert response.status_code == 409
    assert response.json()["detail"] == "A case cannot go back to New once someone has worked on it."
