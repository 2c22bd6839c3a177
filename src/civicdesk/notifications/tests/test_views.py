"""The notifications page, the header's count, mark read, settings and mentions on the case page, within scope."""

import pytest
from django.test import Client

from civicdesk.cases import actions, transfers
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.notifications.models import Delivery, DeskPresence, NotificationKind, NotificationSetting
from civicdesk.notifications.tests.helpers import notes_for
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(world):
    """Two cases the supervisor assigned to Wanda."""
    cases = [create_case(service=world.pothole, email=f"r{i}@example.com") for i in range(2)]
    for case in cases:
        actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    return cases


def test_the_list_says_what_happened_and_links_to_the_case(world, assigned, works_client):
    page = works_client.get("/staff/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 unread notifications" in text
    for case in assigned:
        assert f"sup assigned {case.number} to you." in text
    note = notes_for(world.works_agent)[0]
    assert f'href="/staff/notifications/{note.pk}/"' in text


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(world, assigned, works_client):
    note = notes_for(world.works_agent)[0]
    response = works_client.get(f"/staff/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{note.case.number}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_one_read_then_all_read(world, assigned, works_client):
    first, second = notes_for(world.works_agent)
    assert works_client.post(f"/staff/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert works_client.post("/staff/notifications/read/").status_code == 302
    second.refresh_from_db()
    assert second.read_at is not None
    assert "No unread notifications." in works_client.get("/staff/notifications/").content.decode()


def test_nobody_reads_or_marks_another_users_notifications(world, assigned):
    note = notes_for(world.works_agent)[0]
    walt = client_for(world.works_agent2)
    assert walt.get(f"/staff/notifications/{note.pk}/").status_code == 404
    assert walt.post(f"/staff/notifications/{note.pk}/read/").status_code == 404
    walt.post("/staff/notifications/read/")
    note.refresh_from_db()
    assert note.read_at is None
    assert "No notifications yet." in walt.get("/staff/notifications/").content.decode()


def test_a_case_transferred_out_of_sight_drops_out_of_the_list_and_the_count(world, assigned, works_client):
    transfers.transfer(assigned[0], actor=world.supervisor, to_agency=world.parks, reason="Park land")
    # Wanda keeps the read-only trail of a case transferred from her agency: still listed
    assert works_client.get("/staff/notifications/bell/").content.decode().count("(2 unread)") == 1
    parks_case = create_case(service=world.tree, email="p@example.com")
    actions.assign(parks_case, actor=world.admin, assignee=world.parks_agent, team=world.parks_team)
    actions.assign(parks_case, actor=world.admin, assignee=None, team=world.parks_team)
    pat = client_for(world.parks_agent)
    assert "(1 unread)" in pat.get("/staff/notifications/bell/").content.decode()  # still in Parks' scope
    world.parks_agent.staff.agencies.set([])
    pat = client_for(world.parks_agent)
    assert "unread" not in pat.get("/staff/notifications/bell/").content.decode()


def test_the_bell_counts_unread_answers_204_when_unchanged_and_notes_presence(world, assigned, works_client):
    response = works_client.get("/staff/notifications/bell/")
    assert response.status_code == 200 and "(2 unread)" in response.content.decode()
    assert 'hx-get="/staff/notifications/bell/?shown=2"' in response.content.decode()
    assert "You have" not in response.content.decode()  # nothing to announce on the first look
    assert works_client.get("/staff/notifications/bell/?shown=2").status_code == 204
    more = works_client.get("/staff/notifications/bell/?shown=1").content.decode()
    assert "You have 2 unread notifications." in more
    assert DeskPresence.objects.filter(user=world.works_agent).exists()


def test_a_case_pages_heartbeat_carries_the_unread_count_and_notes_presence(world, assigned, works_client):
    """With its event stream open, an idle case tab asks only its presence heartbeat (inbox/static/inbox/live.js):
    the beat says how many are unread, so the bell asks for itself only when that differs from what it shows."""
    beat = works_client.post(f"/staff/cases/{assigned[0].number}/presence/", {"tab": "tab-0123456789",
                                                                           "state": "viewing"})
    assert beat.status_code == 200 and beat["X-CD-Unread"] == "2"
    assert DeskPresence.objects.filter(user=world.works_agent).exists()


def test_presence_is_written_at_most_once_a_minute_per_process(world, works_client):
    works_client.get("/staff/notifications/bell/")
    seen = DeskPresence.objects.get(user=world.works_agent).last_seen_at
    works_client.get("/staff/notifications/bell/")
    assert DeskPresence.objects.get(user=world.works_agent).last_seen_at == seen


def test_every_staff_page_shows_the_bell_without_a_query_of_its_own(world, works_client):
    text = works_client.get("/staff/").content.decode()
    assert 'id="notification-poller"' in text and 'hx-trigger="load, every 10s, cd-changed from:body' in text
    assert 'href="/staff/notifications/"' in text


def test_the_settings_page_saves_each_kind(world, works_client):
    page = works_client.get("/staff/notifications/settings/")
    assert page.status_code == 200
    assert "wanda@staff.example" in page.content.decode()
    response = works_client.post("/staff/notifications/settings/", {
        "assigned": Delivery.ALWAYS, "reply": Delivery.DESK, "mention": Delivery.OFF,
        "sla_warning": Delivery.DESK, "sla_breached": Delivery.ALWAYS})
    assert response.status_code == 302
    saved = dict(NotificationSetting.objects.filter(user=world.works_agent).values_list("kind", "delivery"))
    assert saved == {NotificationKind.ASSIGNED: Delivery.ALWAYS, NotificationKind.REPLY: Delivery.DESK,
                     NotificationKind.MENTION: Delivery.OFF, NotificationKind.SLA_WARNING: Delivery.DESK,
                     NotificationKind.SLA_BREACHED: Delivery.ALWAYS}


def test_a_bad_setting_is_a_clear_400(world, works_client):
    response = works_client.post("/staff/notifications/settings/", {"assigned": "sometimes"})
    assert response.status_code == 400
    assert "Choose one option for each kind of notification." in response.content.decode()
    assert not NotificationSetting.objects.exists()


def test_pages_need_a_signed_in_staff_member(world):
    assert Client().get("/staff/notifications/").status_code == 302
    assert Client().get("/staff/notifications/settings/").status_code == 302


def test_a_note_on_the_case_page_links_known_mentions_and_leaves_unknown_ones(world, works_client):
    case = create_case(service=world.pothole, email="r@example.com")
    actions.add_note(case, author=world.works_agent, text="@walt please check <this>; @nobody knows.")
    text = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert (f'<a class="cd-mention" href="/staff/?view=all&amp;assignee={world.works_agent2.pk}">@walt</a> '
            "please check &lt;this&gt;; @nobody knows.") in text


def test_the_two_factor_pages_have_no_count_that_would_send_them_back_to_themselves(world):
    client = Client()
    client.force_login(world.admin)  # an administrator who has not given a code yet
    page = client.get("/staff/otp/setup/")
    assert page.status_code == 200 and 'id="notification-poller"' not in page.content.decode()
