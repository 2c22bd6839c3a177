"""Every case action through the staff views: status codes, resulting state and audit entries."""

import pytest

from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Case, CaseStatus, DeliveryStatus, Direction, Message
from civicdesk.channels.events import InboundAttachment
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return create_case(service=world.pothole, subject="Pothole on Main", body="Big one", email="ann@example.com")


def post(client, case, action, data):
    return client.post(f"/staff/cases/{case.number}/{action}/", data)


def test_case_page_shows_the_forms_and_timeline(works_client, case):
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Reply to resident" in page and 'name="text"' in page and ">Send reply</button>" in page
    assert "Created from the web portal" in page and "Routed to" in page and "Big one" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "<script>" not in page and "style=" not in page


def test_reply_goes_out_through_the_channel_of_origin(works_client, world, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(works_client, case, "reply", {"text": "We will fix it this week."})
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.number}/#timeline"
    reply = case.messages.get(direction=Direction.OUTBOUND, is_automatic=False)
    assert reply.body_text == "We will fix it this week." and reply.author == world.works_agent
    assert reply.channel == "email" and reply.recipient == "ann@example.com"
    assert reply.delivery_status == DeliveryStatus.QUEUED and callbacks  # delivery is enqueued on commit
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.first_response_at is not None


def test_empty_reply_is_a_400_with_the_error_and_nothing_sent(works_client, case):
    response = post(works_client, case, "reply", {"text": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()


def test_add_note(works_client, world, case):
    assert post(works_client, case, "note", {"text": "Called the resident"}).status_code == 302
    note = case.messages.get(direction=Direction.NOTE)
    assert note.body_text == "Called the resident" and note.author == world.works_agent and not note.is_public
    assert "Called the resident" in works_client.get(f"/staff/cases/{case.number}/").content.decode()


def test_assign_to_person_and_team_of_the_agency(works_client, world, case):
    response = post(works_client, case, "assign", {"assignee": world.works_agent2.pk, "team": world.works_team.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == world.works_agent2 and case.team == world.works_team
    entry = case.audit.get(action=AuditAction.ASSIGNED)
    assert entry.actor == world.works_agent and entry.after["assignee"] == world.works_agent2.pk


def test_assign_refuses_staff_and_teams_of_other_agencies(works_client, world, case):
    assert post(works_client, case, "assign", {"assignee": world.parks_agent.pk}).status_code == 400
    assert post(works_client, case, "assign", {"team": world.parks_team.pk}).status_code == 400
    case.refresh_from_db()
    assert case.assignee is None and not case.audit.filter(action=AuditAction.ASSIGNED).exists()


def test_unassign(works_client, world, case):
    post(works_client, case, "assign", {"assignee": world.works_agent2.pk})
    assert post(works_client, case, "assign", {"assignee": "", "team": ""}).status_code == 302
    case.refresh_from_db()
    assert case.assignee is None and case.team is None


@pytest.mark.parametrize("status", [s for s, _ in CaseStatus.choices if s != "new"])
def test_change_status(works_client, world, case, status):
    assert post(works_client, case, "status", {"status": status}).status_code == 302
    case.refresh_from_db()
    assert case.status == status
    entry = case.audit.get(action=AuditAction.STATUS_CHANGED)
    assert entry.before == {"status": "new"} and entry.after == {"status": status} and entry.actor == world.works_agent


def test_unknown_status_is_refused(works_client, case):
    assert post(works_client, case, "status", {"status": "deleted"}).status_code == 400


def test_priority_and_tags(works_client, case):
    assert post(works_client, case, "priority", {"priority": "high"}).status_code == 302
    assert post(works_client, case, "tags", {"tags": "Road, urgent ,road"}).status_code == 302
    case.refresh_from_db()
    assert case.priority == "high"
    assert sorted(case.tags.values_list("name", flat=True)) == ["road", "urgent"]
    assert case.audit.filter(action=AuditAction.PRIORITY_CHANGED).exists()
    assert case.audit.get(action=AuditAction.TAGS_CHANGED).after == {"tags": ["road", "urgent"]}


def test_transfer_keeps_the_trail_for_both_agencies(works_client, parks_client, world, case):
    response = post(works_client, case, "transfer", {"to_agency": world.parks.pk, "reason": "It is a park path"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.agency == world.parks
    assert case.transfers.get().reason == "It is a park path"
    # Public Works still sees the trail but can no longer act
    page = works_client.get(f"/staff/cases/{case.number}/")
    assert page.status_code == 200 and "It is a park path" in page.content.decode()
    assert "You can read its trail but not change it." in page.content.decode()
    assert post(works_client, case, "note", {"text": "x"}).status_code == 403
    # Parks now owns it
    assert post(parks_client, case, "note", {"text": "On it"}).status_code == 302


def test_transfer_needs_a_reason(works_client, world, case):
    assert post(works_client, case, "transfer", {"to_agency": world.parks.pk, "reason": ""}).status_code == 400
    case.refresh_from_db()
    assert case.agency == world.works


def test_merge_duplicates(works_client, world, case):
    duplicate = create_case(service=world.pothole, subject="Same pothole", body="Also here", email="bo@example.com")
    response = post(works_client, duplicate, "merge", {"number": case.number})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == case and duplicate.status == CaseStatus.CLOSED
    survivor_page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Also here" in survivor_page  # timelines combined
    assert duplicate.number in survivor_page
    merged_page = works_client.get(f"/staff/cases/{duplicate.number}/").content.decode()
    assert "This case was merged into" in merged_page and f"/staff/cases/{case.number}/" in merged_page
    assert case.audit.filter(action=AuditAction.MERGED).exists()


def test_merge_into_unknown_or_self_is_an_error(works_client, world, case):
    assert post(works_client, case, "merge", {"number": "CD-2000-999999"}).status_code == 400
    response = post(works_client, case, "merge", {"number": case.number})
    assert response.status_code == 400 and "cannot be merged into itself" in response.content.decode()
    parks_case = create_case(service=world.tree, subject="Tree", email="t@example.com")
    assert post(works_client, case, "merge", {"number": parks_case.number}).status_code == 400
    case.refresh_from_db()
    assert case.merged_into is None


def test_link_related_cases(works_client, world, case):
    other = create_case(service=world.pothole, subject="Nearby", email="n@example.com")
    assert post(works_client, case, "link", {"number": other.number.lower()}).status_code == 302
    assert list(case.related.all()) == [other] and list(other.related.all()) == [case]
    assert case.audit.filter(action=AuditAction.LINKED).exists()


def test_unknown_action_is_404_and_get_is_405(works_client, case):
    assert post(works_client, case, "delete", {}).status_code == 404
    assert works_client.get(f"/staff/cases/{case.number}/reply/").status_code == 405


def test_post_without_csrf_token_is_refused(world, case):
    from django.test import Client
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.works_agent)
    assert post(client, case, "note", {"text": "x"}).status_code == 403


def test_inbound_email_shows_visible_text_with_quoted_text_disclosure(works_client, world):
    case = create_case(channel="email", service=world.pothole, subject="Hole", email="q@example.com",
                       body="New words\n\n> On Monday you wrote:\n> old words",
                       visible_text="New words", body_html="<p>New words</p><script>alert(1)</script><img src=x>")
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "<summary>Show quoted text</summary>" in page and "old words" in page
    assert "<script>alert(1)</script>" not in page and 'src="x"' not in page and "<img src=x" not in page
    assert '<div class="cd-mail-html"><p>New words</p></div>' in page


def test_failed_delivery_shows_the_error(works_client, world, case):
    Message.objects.filter(case=case, direction="out").update(delivery_status=DeliveryStatus.FAILED, attempts=6,
                                                             last_error="550 5.1.1 no such user")
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Failed" in page and "550 5.1.1 no such user" in page


def test_attachments_download_only_for_staff_who_see_the_case(works_client, parks_client, client, world):
    case = create_case(service=world.pothole, subject="With photo", email="ph@example.com",
                       attachments=[InboundAttachment("note.txt", "text/plain", b"hello"),
                                    InboundAttachment("p.png", "image/png", b"\x89PNG fake")])
    text, image = case.messages.get(direction="in").attachments.order_by("pk")
    response = works_client.get(f"/staff/attachments/{text.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert works_client.get(f"/staff/attachments/{image.pk}/")["Content-Type"] == "image/png"
    assert parks_client.get(f"/staff/attachments/{text.pk}/").status_code == 404
    assert client.get(f"/staff/attachments/{text.pk}/").status_code == 302
    assert f"/staff/attachments/{text.pk}/" in works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert Case.objects.count() == 1
