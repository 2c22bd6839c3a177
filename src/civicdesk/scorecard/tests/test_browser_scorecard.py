"""Issue 13 item 9 in the browser: the scorecard pages (tables, the trend chart, its summary) pass axe at 1280 and
390 px in English and Spanish, with no script errors, and every agency links through to its own page."""

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from civicdesk.scorecard.tests.test_scorecard import city  # noqa: F401 (the fixture)
from civicdesk.testing.browser import axe_violations, launch_chromium, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser() -> Any:
    with launch_chromium() as chromium:
        yield chromium


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_scorecard_pages_pass_axe_and_draw_the_trend(live_server: Any, transactional_db: Any,
                                                         city: dict[str, Any], browser: Browser,  # noqa: F811
                                                         language: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/scorecard/")
    assert axe_violations(page) == []
    page.locator("a[href='/scorecard/works/']").first.click()
    expect(page.locator("#scorecard-chart")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('scorecard-chart'))")
    assert page.locator("#scorecard-trend-summary").inner_text().startswith("6")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/scorecard/works/pothole/")
    assert axe_violations(page) == []
    assert [e for e in errors if "favicon" not in e] == []
    context.close()
