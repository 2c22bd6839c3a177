"""In a real browser: a London point is questioned on the portal, then moved or confirmed; a general question is
sent without any location. Each page passes axe-core (WCAG 2.1 A/AA) and raises no script or CSP errors."""

import pytest
from playwright.sync_api import Page, expect

from civicdesk.agencies.models import LocationMode
from civicdesk.cases.models import Case
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.models import CaseRouting
from civicdesk.portal.tests.test_browser_loop import PageWatcher
from civicdesk.testing.browser import launch_chromium
from civicdesk.testing.factories import create_agency, create_service

pytestmark = [pytest.mark.browser, pytest.mark.slow]
QUESTION = "This location is outside Riverbend. Move the pin, or confirm that you want to send it anyway."


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


def send_pothole(page: Page, base: str, lat: str, lon: str) -> None:
    page.goto(f"{base}/services/pothole/")
    page.get_by_label("Describe the problem or request").fill("A deep pothole by the bridge.")
    page.get_by_label("Latitude").fill(lat)
    page.get_by_label("Longitude").fill(lon)
    page.get_by_role("button", name="Send request").click()


def test_a_point_outside_the_city_is_questioned_then_moved_or_confirmed(live_server, transactional_db, browser):
    create_agency("311", "Riverbend 311")
    works = create_agency("public-works", "Public Works")
    create_service(works, "pothole", name="Pothole")
    create_service(create_agency("city-hall", "City Hall"), "general-question", name="General question",
                   location_mode=LocationMode.NOT_ASKED)
    seed_boundaries()
    base, watcher, checked = live_server.url, PageWatcher(), []
    context = browser.new_context()
    page = watcher.watch(context.new_page())

    # A London point: the form comes back with the question, announced by the focused error summary.
    send_pothole(page, base, "51.5007", "-0.1246")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(QUESTION)
    confirm = page.get_by_label("Send it anyway: I confirm the location outside Riverbend is right.")
    expect(confirm).to_be_visible()
    expect(page.get_by_label("Describe the problem or request")).to_have_value("A deep pothole by the bridge.")
    expect(page.get_by_label("Latitude")).to_have_value("51.5007")
    watcher.check(page, "questioned")
    checked.append("questioned")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#id_confirm_outside"

    # Moved into Riverbend: sent, and not flagged.
    page.get_by_label("Latitude").fill("40.0")
    page.get_by_label("Longitude").fill("-75.0")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="We received your request")).to_be_visible()
    moved = Case.objects.get(number=page.locator(".cd-case-number").inner_text())
    assert (moved.lat, moved.lon) == (40.0, -75.0) and not CaseRouting.objects.get(case=moved).flagged

    # Another London point, confirmed with the keyboard: sent, and flagged for staff to check.
    send_pothole(page, base, "51.5007", "-0.1246")
    expect(page.locator("#error-summary")).to_contain_text(QUESTION)
    page.get_by_label("Send it anyway: I confirm the location outside Riverbend is right.").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="We received your request")).to_be_visible()
    confirmed = Case.objects.get(number=page.locator(".cd-case-number").inner_text())
    assert confirmed.lat == 51.5007 and CaseRouting.objects.get(case=confirmed).flagged

    # A general question has no location at all.
    page.goto(f"{base}/services/general-question/")
    expect(page.get_by_role("heading", name="General question", level=1)).to_be_visible()
    expect(page.get_by_text("Where is it?")).to_have_count(0)
    expect(page.locator("[data-gis-picker]")).to_have_count(0)
    watcher.check(page, "general question")
    checked.append("general question")
    page.get_by_label("Describe the problem or request").fill("When is city hall open on Saturdays?")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="We received your request")).to_be_visible()
    question = Case.objects.get(number=page.locator(".cd-case-number").inner_text())
    assert question.lat is None and question.address == ""
    context.close()

    # The question on a phone-sized screen.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = watcher.watch(phone.new_page())
    send_pothole(page, base, "51.5007", "-0.1246")
    expect(page.locator("#error-summary")).to_contain_text(QUESTION)
    watcher.check(page, "questioned at 390 px")
    checked.append("questioned at 390 px")
    phone.close()
    watcher.assert_clean(3, checked)
