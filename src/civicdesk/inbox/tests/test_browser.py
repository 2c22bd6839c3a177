"""The staff side in Chromium: sign in, inbox and case pages pass axe, keyboard use, and live updates within 2 s."""

import pytest
from playwright.sync_api import expect

from civicdesk.cases import actions
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIVE_TIMEOUT_MS = 2000


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


def test_agent_works_a_case_live(live_server, transactional_db, world, browser):
    first = create_case(service=world.pothole, subject="Pothole on Elm", body="Deep hole", email="ann@example.com")
    page = browser.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_role("link", name=first.number)).to_be_visible()
    assert axe(page) == []

    # a new case from another channel shows up without a reload
    second = create_case(channel="email", service=world.pothole, subject="Streetlight out", email="bo@example.com")
    expect(page.get_by_role("link", name=second.number)).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # filters by keyboard (the channel is behind "More filters")
    page.get_by_text("More filters").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Channel").select_option("email")
    page.get_by_role("button", name="Apply filters").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=first.number)).to_have_count(0)
    expect(page.get_by_role("link", name=second.number)).to_be_visible()

    page.get_by_role("link", name=second.number).click()
    expect(page.get_by_role("heading", name=second.number)).to_be_visible()
    assert axe(page) == []
    page.get_by_role("textbox", name="Message").fill("A crew comes on Monday.")
    page.get_by_role("button", name="Send reply").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Reply queued for delivery.")).to_be_visible()
    expect(page.locator("#case-timeline")).to_contain_text("A crew comes on Monday.")

    # a colleague's note and the resident's email appear within 2 seconds
    actions.add_note(second, author=world.works_agent2, text="I know this street, it floods.")
    expect(page.locator("#case-timeline")).to_contain_text("it floods", timeout=LIVE_TIMEOUT_MS)
    create_case(channel="email", email="bo@example.com", subject=f"Re: [{second.number}] thanks", body="Great, thanks!")
    expect(page.locator("#case-timeline")).to_contain_text("Great, thanks!", timeout=LIVE_TIMEOUT_MS)

    page.locator("#status_status").select_option("in_progress")  # the sidebar saves on change, in place
    expect(page.get_by_role("status").filter(has_text="Saved: status In progress")).to_be_visible()
    expect(page.locator("#status_status")).to_have_value("in_progress")
    assert [e for e in errors if "favicon" not in e] == []
