"""Live updates: the inbox and case pages poll a tiny endpoint that answers 204 until something changes."""

import re

import pytest

from civicdesk.cases import actions
from civicdesk.cases.models import Case, DeliveryStatus, Message
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


def live_url(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}" hx-get="([^"]+)"', page)
    assert match, f"no poller {element_id}"
    return match.group(1).replace("&amp;", "&")


def test_inbox_poll_is_204_until_a_new_case_arrives(works_client, world):
    first = create_case(service=world.pothole, subject="First", email="a@example.com")
    url = live_url(works_client.get("/staff/?view=all").content.decode(), "inbox-poller")
    assert works_client.get(url).status_code == 204
    assert works_client.get(url).status_code == 204
    second = create_case(service=world.pothole, subject="Second", email="b@example.com")
    response = works_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="case-list"' in body and 'hx-swap-oob="true"' in body
    assert second.number in body and first.number in body
    # the new poller carries the new marker: quiet again
    assert works_client.get(live_url(body, "inbox-poller")).status_code == 204


def test_inbox_poll_keeps_the_filters(works_client, world):
    create_case(service=world.pothole, subject="Pothole", email="a@example.com")
    url = live_url(works_client.get("/staff/?status=closed").content.decode(), "inbox-poller")
    assert "status=closed" in url
    create_case(service=world.pothole, subject="Another", email="b@example.com")
    body = works_client.get(url).content.decode()
    assert 'id="inbox-poller"' in body and 'id="case-list"' not in body  # the closed list did not change


def test_a_change_outside_the_visible_list_only_moves_the_marker(works_client, world):
    create_case(service=world.pothole, subject="Ours", email="a@example.com")
    url = live_url(works_client.get("/staff/").content.decode(), "inbox-poller")
    create_case(service=world.tree, subject="Parks case", email="p@example.com")  # not visible to Public Works
    response = works_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="inbox-poller"' in body and 'id="case-list"' not in body
    assert works_client.get(live_url(body, "inbox-poller")).status_code == 204


def test_a_changed_case_in_the_list_is_redrawn(works_client, world):
    case = create_case(service=world.pothole, subject="Ours", email="a@example.com")
    url = live_url(works_client.get("/staff/").content.decode(), "inbox-poller")
    actions.change_status(case, actor=world.works_agent, status="in_progress")
    body = works_client.get(url).content.decode()
    assert 'id="case-list"' in body and "In progress" in body


def test_case_poll_sees_new_messages_notes_and_delivery_changes(works_client, world):
    case = create_case(service=world.pothole, subject="Ours", email="a@example.com")
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    url = live_url(page, "case-poller")
    assert works_client.get(url).status_code == 204
    actions.add_note(case, author=world.works_agent2, text="Crew is on the way")
    response = works_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Crew is on the way" in body and 'id="case-timeline" hx-swap-oob="true"' in body
    url = live_url(body, "case-poller")
    assert works_client.get(url).status_code == 204
    # a delivery status change does not touch the case row, but still shows
    Message.objects.filter(case=case, direction="out").update(delivery_status=DeliveryStatus.FAILED,
                                                             last_error="550 mailbox unavailable")
    body = works_client.get(url).content.decode()
    assert "550 mailbox unavailable" in body
    # a new inbound email on the thread
    create_case(channel="email", email="a@example.com", subject=f"Re: [{case.number}] more info", body="Photo attached")
    assert "Photo attached" in works_client.get(live_url(body, "case-poller")).content.decode()


def test_case_poll_needs_visibility(parks_client, world):
    case = create_case(service=world.pothole, subject="Ours", email="a@example.com")
    assert parks_client.get(f"/staff/cases/{case.number}/live/?marker=x").status_code == 404
    assert Case.objects.count() == 1
