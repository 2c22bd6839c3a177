"""In a real browser: a resident types what they see, in their own words, and the right service comes first."""

import pytest
from playwright.sync_api import expect

from civicdesk.demo.actions import seed_agencies, seed_services
from civicdesk.testing.browser import axe, launch_chromium, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


def test_a_resident_searching_big_hole_in_road_sees_pothole_first(live_server, transactional_db, browser):
    seed_services(seed_agencies())  # the demo city's catalogue with its search terms
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        errors = watch(page)
        page.goto(f"{live_server.url}/")
        page.get_by_label("Search services").first.fill("big hole in road")
        page.keyboard.press("Enter")
        results = page.get_by_role("list", name="Matching services")
        expect(results.get_by_role("link").first).to_have_text("Pothole")
        expect(page.get_by_role("status")).to_contain_text("matches “big hole in road”")
        assert axe(page) == [], width

        # A typo is forgiven, and the corrected words are offered.
        page.get_by_label("Search services").fill("stret light broken")
        page.get_by_label("Search services").press("Enter")
        expect(results.get_by_role("link").first).to_have_text("Street light out")
        page.get_by_role("link", name="street light broken").click()
        expect(page.get_by_label("Search services")).to_have_value("street light broken")
        expect(page.get_by_text("Did you mean")).to_have_count(0)
        assert axe(page) == [], width

        # Nothing matches: the resident can still see every service or ask a general question.
        page.get_by_label("Search services").fill("qwxz")
        page.get_by_label("Search services").press("Enter")
        expect(page.get_by_role("status")).to_contain_text("No services match “qwxz”.")
        assert axe(page) == [], width
        page.get_by_role("link", name="ask a general question").click()
        expect(page.get_by_role("heading", name="General question", level=1)).to_be_visible()
        assert errors == []
        context.close()
