"""The case page in Chromium (issue #10 items 7, 11, 12): keyboard-only from sign-in to a sent reply, the one composer
(modes, preview, files, sending in place), the timeline in sentences, who else is on the case, axe at 1280 and 390."""

import pytest
from playwright.sync_api import Page, expect

from civicdesk.cases import actions
from civicdesk.cases.models import Direction, Message
from civicdesk.contacts.actions import update_contact
from civicdesk.inbox import case_views
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIVE_MS = 4000
PRESENCE_MS = 6000  # a heartbeat every 2 s in these tests (8 s in use)


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def names(world):
    for user, first, last in ((world.works_agent, "Wanda", "Agent"), (world.works_agent2, "Sam", "Agent")):
        user.first_name, user.last_name = first, last
        user.save()


@pytest.fixture
def case(world, names):
    case = create_case(service=world.pothole, subject="Pothole on Elm", body="Deep hole", email="rosa@example.com")
    update_contact(case.contact, actor=None, display_name="Rosa Tester")
    actions.assign(case, actor=world.works_agent, assignee=world.works_agent2, team=world.works_team)
    return case


def tab_to(page: Page, selector: str, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`, as a keyboard user moves."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def test_keyboard_only_from_sign_in_to_a_sent_reply(live_server, transactional_db, world, browser, case):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type("wanda")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    tab_to(page, f'a[href="/staff/cases/{case.number}/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=case.number)).to_be_visible()

    tab_to(page, "#reply_text")
    page.keyboard.type("A crew fills it on Monday.")
    page.evaluate("window.cdNotReloaded = true")
    tab_to(page, "button[value=reply]")
    page.keyboard.press("Enter")
    expect(page.locator("#composer-status")).to_contain_text("Reply queued for delivery.")
    expect(page.locator("#case-timeline")).to_contain_text("A crew fills it on Monday.")
    assert page.evaluate("window.cdNotReloaded === true"), "sending reloaded the page"
    assert page.evaluate("window.scrollY") > 0, "the page went back to the top"
    expect(page.locator("#reply_text")).to_be_focused()
    expect(page.locator("#reply_text")).to_have_value("")
    assert Message.objects.filter(case=case, direction=Direction.OUTBOUND, visible_text="A crew fills it on Monday.",
                                  author=world.works_agent).exists()
    assert [e for e in errors if "favicon" not in e] == []


def test_the_composer_switches_to_an_internal_note_by_keyboard(live_server, transactional_db, world, browser, case):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    expect(page.get_by_text("Emailed to Rosa Tester <rosa@example.com>")).to_be_visible()
    expect(page.get_by_role("button", name="Add internal note")).to_be_hidden()
    page.get_by_role("radio", name="Reply to resident").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Internal note (staff only)")).to_be_checked()
    expect(page.get_by_role("button", name="Send reply")).to_be_hidden()
    expect(page.get_by_role("button", name="Preview")).to_be_hidden()
    expect(page.get_by_text("only staff see this; the resident is not told.")).to_be_visible()
    page.locator("#reply_text").fill("Checked with the crew lead.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#composer-status")).to_contain_text("Internal note added.")
    expect(page.locator("#case-timeline")).to_contain_text("Checked with the crew lead.")
    expect(page.locator("#case-timeline")).to_contain_text("Staff only")
    assert case.messages.filter(direction=Direction.NOTE, body_text="Checked with the crew lead.").exists()
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()


def test_preview_then_send_with_a_file(live_server, transactional_db, world, browser, case, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    page.locator("#reply_text").fill("Here is the crew's schedule.")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("[data-cd-preview]")
    expect(preview).to_contain_text("Preview: what the resident receives")
    expect(preview).to_contain_text("rosa@example.com")
    expect(preview).to_contain_text(f"[{case.number}]")
    expect(preview).to_be_focused()
    assert not case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False).exists()
    schedule = tmp_path / "schedule.txt"
    schedule.write_text("Monday: Elm St\n")
    page.locator("#reply_attachments").set_input_files(str(schedule))
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#case-timeline")).to_contain_text("Here is the crew's schedule.")
    expect(page.locator("#case-timeline").get_by_role("link", name="schedule.txt")).to_be_visible()
    reply = case.messages.get(direction=Direction.OUTBOUND, is_automatic=False)
    assert list(reply.attachments.values_list("filename", flat=True)) == ["schedule.txt"]
    assert [e for e in errors if "favicon" not in e] == []


def test_a_refused_send_shows_the_error_in_place(live_server, transactional_db, world, browser, case):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    page.locator("#reply_text").evaluate("t => t.removeAttribute('required')")
    page.locator("#reply_text").fill("   ")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-form")).to_contain_text("This field is required.")
    expect(page.locator("#reply_text")).to_be_focused()
    assert [e for e in errors if "favicon" not in e and " 400 " not in f" {e} "] == []


def test_the_timeline_reads_in_sentences(live_server, transactional_db, world, browser, case):
    actions.change_status(case, actor=world.works_agent, status="in_progress")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    timeline = page.locator("#case-timeline")
    expect(timeline).to_contain_text("Created from the web portal")
    expect(timeline).to_contain_text("Routed to Public Works / Road crew by its service, “Pothole”")
    expect(timeline).to_contain_text("Assigned to Sam Agent by Wanda Agent")
    expect(timeline).to_contain_text("Wanda Agent changed the status: Open → In progress")
    expect(timeline).not_to_contain_text("by router")


def test_two_agents_see_each_other_view_and_reply(live_server, transactional_db, world, browser, case,
                                                   monkeypatch):
    monkeypatch.setattr(case_views, "HEARTBEAT_SECONDS", 2)
    wanda_context, sam_context = browser.new_context(), browser.new_context()
    wanda, sam = wanda_context.new_page(), sam_context.new_page()
    sign_in(wanda, live_server.url, "wanda")
    sign_in(sam, live_server.url, "walt")
    wanda.goto(f"{live_server.url}/staff/cases/{case.number}/")
    sam.goto(f"{live_server.url}/staff/cases/{case.number}/")
    presence = wanda.locator("#case-presence")
    expect(presence).to_have_text("Sam Agent is viewing", timeout=PRESENCE_MS)
    expect(sam.locator("#case-presence")).to_have_text("Wanda Agent is viewing", timeout=PRESENCE_MS)

    sam.locator("#reply_text").press_sequentially("We are on")
    expect(presence).to_have_text("Sam Agent is replying", timeout=PRESENCE_MS)
    assert presence.get_attribute("aria-live") == "polite"

    sam.locator("#reply_text").fill("")
    sam.locator("#reply_text").press("Backspace")
    expect(presence).to_have_text("Sam Agent is viewing", timeout=PRESENCE_MS)
    sam.goto(f"{live_server.url}/staff/")  # leaving says so at once (a beacon); silence would take 20 s
    expect(presence).to_have_text("", timeout=PRESENCE_MS)
    wanda_context.close()
    sam_context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_case_page_passes_axe(live_server, transactional_db, world, browser, case, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    assert axe(page) == []
    page.locator("#reply_text").fill("Checking the preview.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-cd-preview]")).to_be_visible()
    page.locator("label[for=reply_mode_note]").click()
    expect(page.get_by_role("button", name="Add internal note")).to_be_visible()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
