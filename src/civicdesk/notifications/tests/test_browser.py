"""Notifications in Chromium: the supervisor assigns Wanda a case, her header's count changes and the notification
is listed; she opens it, marks the rest read and changes her settings by keyboard; axe at 1280 and 390 px."""

import re

import pytest
from playwright.sync_api import Page, expect

from civicdesk.cases import actions
from civicdesk.notifications.models import Delivery, NotificationKind, NotificationSetting
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BELL_TIMEOUT_MS = 15000  # the count is asked every 10 s where the event stream is unavailable (the test server)


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: no mail leaves the test
    with launch_chromium() as chromium:
        yield chromium


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def bell(page: Page):
    return page.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Notifications"))


def test_an_agent_assigned_a_case_by_the_supervisor_sees_the_count_change_and_the_notification(
        live_server, transactional_db, world, browser):
    first = create_case(service=world.pothole, subject="Pothole on Main", email="r1@example.com")
    second = create_case(service=world.pothole, subject="Another pothole", email="r2@example.com")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    expect(bell(page)).to_have_accessible_name("Notifications")
    # the bell's first poll (on load) has answered: a count that rises after it is announced, one already there
    # when the page loaded is not (a slow first poll would otherwise meet the assignment below)
    expect(page.locator("#notification-poller")).to_have_attribute("hx-get", re.compile(r"shown=0$"),
                                                                    timeout=BELL_TIMEOUT_MS)

    actions.assign(first, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    expect(bell(page)).to_have_accessible_name("Notifications (1 unread)", timeout=BELL_TIMEOUT_MS)
    expect(page.get_by_role("status").filter(has_text="You have 1 unread notification.")).to_be_attached(
        timeout=BELL_TIMEOUT_MS)
    actions.assign(second, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    expect(bell(page)).to_have_accessible_name("Notifications (2 unread)", timeout=BELL_TIMEOUT_MS)

    bell(page).click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_text("2 unread notifications")).to_be_visible()
    link = page.get_by_role("link", name=f"sup assigned {first.number} to you.")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    expect(page.get_by_role("heading", name=re.compile(first.number))).to_be_visible()
    expect(bell(page)).to_have_accessible_name("Notifications (1 unread)")

    # by keyboard: back to the list, mark everything read
    page.goto(f"{live_server.url}/staff/notifications/")
    mark_all = page.get_by_role("button", name="Mark all as read")
    mark_all.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("No unread notifications.")).to_be_visible()
    expect(bell(page)).to_have_accessible_name("Notifications")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == [], width
    assert errors == []


def test_the_settings_page_works_by_keyboard_and_passes_axe(live_server, transactional_db, world, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/notifications/settings/")
    group = page.get_by_role("group", name="A case is assigned to me")
    expect(group.get_by_role("radio", name="In the desk, and by email when I am away from the desk")).to_be_checked()
    group.get_by_role("radio", name="In the desk, and by email when I am away from the desk").focus()
    page.keyboard.press("ArrowDown")  # the next option of the group: always by email
    expect(group.get_by_role("radio", name="In the desk, and always by email")).to_be_checked()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == [], width
    page.get_by_role("button", name="Save settings").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    assert NotificationSetting.objects.get(user=world.works_agent, kind=NotificationKind.ASSIGNED).delivery == \
        Delivery.ALWAYS
    assert errors == []
