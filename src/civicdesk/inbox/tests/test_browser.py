"""The staff side in Chromium: sign in, inbox and case pages pass axe, keyboard use, and live updates within 2 s."""

import socket

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect, sync_playwright

from civicdesk.cases import actions
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_SOURCE = (settings.NODE_MODULES_DIR / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LIVE_TIMEOUT_MS = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser(monkeypatch, settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def axe(page: Page) -> list[str]:
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


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

    # filters by keyboard
    page.get_by_label("Channel").select_option("email")
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=first.number)).to_have_count(0)
    expect(page.get_by_role("link", name=second.number)).to_be_visible()

    page.get_by_role("link", name=second.number).click()
    expect(page.get_by_role("heading", name=second.number)).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Reply to resident").fill("A crew comes on Monday.")
    page.get_by_role("button", name="Send reply").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Reply queued for delivery.")).to_be_visible()
    expect(page.locator("#case-timeline")).to_contain_text("A crew comes on Monday.")

    # a colleague's note and the resident's email appear within 2 seconds
    actions.add_note(second, author=world.works_agent2, text="I know this street, it floods.")
    expect(page.locator("#case-timeline")).to_contain_text("it floods", timeout=LIVE_TIMEOUT_MS)
    create_case(channel="email", email="bo@example.com", subject=f"Re: [{second.number}] thanks", body="Great, thanks!")
    expect(page.locator("#case-timeline")).to_contain_text("Great, thanks!", timeout=LIVE_TIMEOUT_MS)

    page.locator("#status_status").select_option("in_progress")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#case-summary")).to_contain_text("In progress")
    assert [e for e in errors if "favicon" not in e] == []
