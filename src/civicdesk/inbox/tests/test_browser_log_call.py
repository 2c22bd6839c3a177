"""Logging a phone call in Chromium: by keyboard alone on the case page and from the desk as a new case; axe finds
nothing on the form, its error page or a timeline with calls, at 1280 and 390 px, and nothing overflows sideways."""

import pytest
from playwright.sync_api import Page, expect

from civicdesk.inbox.tests.test_browser_case_page import WIDE, page_errors
from civicdesk.telephony.models import Call
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1280, 390)
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user moves."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def sign_in(page: Page, url: str, username: str = "wanda") -> None:
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def test_an_agent_logs_a_call_on_a_case_by_keyboard_alone(live_server, transactional_db, world, browser, caplog):
    case = create_case(service=world.pothole, subject="Pothole on Elm")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    tab_to(page, "#log-call summary")
    page.keyboard.press("Enter")
    tab_to(page, "#call_direction")
    page.keyboard.press("ArrowDown")  # Outbound (we called the resident)
    page.keyboard.press("Tab")
    expect(page.locator("#call_number")).to_be_focused()
    page.keyboard.type("215 555 0134")
    tab_to(page, "#call_duration")
    page.keyboard.type("2:30")
    tab_to(page, "#call_outcome")
    page.keyboard.press("ArrowDown")  # Voicemail left
    tab_to(page, "#call_notes")
    page.keyboard.type("Told them the crew comes Monday.")
    tab_to(page, "#log-call-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    timeline = page.locator("#case-timeline")
    expect(timeline).to_contain_text("Call to +12155550134 by wanda")
    expect(timeline).to_contain_text("Voicemail left")
    expect(timeline).to_contain_text("Duration 2:30")
    expect(timeline).to_contain_text("Told them the crew comes Monday.")
    call = Call.objects.get()
    assert (call.direction, call.outcome, call.duration_seconds) == ("out", "voicemail_left", 150)
    assert page_errors(errors, caplog) == []


def test_the_desk_logs_a_call_as_a_new_case(live_server, transactional_db, world, browser, caplog):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Log a call").click()
    expect(page.get_by_role("heading", name="Log a call")).to_be_visible()
    page.get_by_label("What the call is about").select_option(label="Public Works: Pothole")
    page.get_by_label("Resident's phone number").fill("+1 215 555 0177")
    page.get_by_label("Notes").fill("Pothole at 5th and Main, car damaged.")
    page.get_by_role("button", name="Log the call").click()
    expect(page.locator("#case-timeline")).to_contain_text("Call from +12155550177, logged by wanda")
    expect(page.locator("#case-timeline")).to_contain_text("Pothole at 5th and Main, car damaged.")
    expect(page.get_by_text("The call was logged as case")).to_be_visible()
    assert Call.objects.get().message.case.channel == "phone"
    assert page_errors(errors, caplog) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_on_the_call_forms_and_a_timeline_with_calls(live_server, transactional_db, world,
                                                                      browser, width):
    from civicdesk.telephony.actions import log_call
    case = create_case(service=world.pothole, subject="Pothole on Elm")
    log_call(case, actor=world.works_agent, direction="in", number="+12155550134", duration_seconds=65,
             outcome="answered", notes="Called about the pothole.")
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    page.locator("#log-call summary").click()
    expect(page.locator("#call_number")).to_be_visible()
    assert axe(page) == [], f"case page at {width}px"
    assert page.evaluate(FITS), f"the case page overflows at {width}px: {page.evaluate(WIDE)}"
    page.goto(f"{live_server.url}/staff/calls/new/")
    assert axe(page) == [], f"desk form at {width}px"
    assert page.evaluate(FITS)
    page.get_by_label("Resident's phone number").fill("12")
    page.get_by_label("What the call is about").select_option(label="Public Works: Pothole")
    page.get_by_role("button", name="Log the call").click()
    expect(page.get_by_role("heading", name="The call was not logged")).to_be_visible()
    assert axe(page) == [], f"error page at {width}px"
    assert page.evaluate(FITS)
