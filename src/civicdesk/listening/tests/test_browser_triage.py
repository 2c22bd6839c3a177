"""The triage view in Chromium at 1280 and 390 px: axe-clean pages (the view, an alert, declaring from it), the
chart drawn and redrawn by the 5-second poll, the map's markers, and a case made from a post by its button."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case
from civicdesk.listening.models import CountKind, MinuteCount, PostCase, Stream
from civicdesk.listening.tests.test_triage_view import make_alert, make_post
from civicdesk.testing.browser import axe_violations, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_staff
from civicdesk.web.tests.test_browser_staff_accessibility import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser() -> Any:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def listened(transactional_db: Any) -> dict[str, Any]:
    agency = create_agency("public-works", "Public Works")
    stream = Stream.objects.create(name="Public Works listening", agency=agency)
    posts = [make_post(stream, f"Water main burst on River Road number {n}", minutes_ago=n, lat=40.0 + n / 1000,
                       lon=-75.0 + n / 1000, urgent=n % 2 == 0, place="River Road") for n in range(1, 8)]
    make_post(stream, "Se rompió una tubería en River Road", lang="es", minutes_ago=2)
    now = timezone.now().replace(second=0, microsecond=0)
    for n in range(1, 30):
        MinuteCount.objects.create(stream=stream, minute=now - timedelta(minutes=n), kind=CountKind.STREAM,
                                   key="all", posts=3 + n % 5)
        MinuteCount.objects.create(stream=stream, minute=now - timedelta(minutes=n), kind=CountKind.STREAM,
                                   key="relevant", posts=1 + n % 3)
    alert = make_alert(stream, posts[:3])
    supervisor = create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[agency])
    return {"alert": alert, "supervisor": supervisor, "posts": posts}


@pytest.mark.parametrize("width", [1280, 390])
def test_the_triage_view_passes_axe_draws_polls_and_makes_a_case(live_server: Any, listened: dict[str, Any],
                                                                  browser: Browser, width: int) -> None:
    base = live_server.url
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en")
    context.add_cookies([session_cookie(base, listened["supervisor"], verified=True)])  # type: ignore[list-item]
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{base}/staff/listening/?window=hour")
    expect(page.locator("main h1")).to_have_text("Social listening")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('[data-listening-chart]'))")
    expect(page.locator(".leaflet-marker-icon, .marker-cluster").first).to_be_visible()
    assert "In the last hour:" in page.locator("[data-listening-summary]").inner_text()
    assert axe_violations(page) == []
    with page.expect_response(lambda r: "/staff/listening/live/" in r.url, timeout=9000):
        pass  # the fragment polls every 5 s
    page.wait_for_function("() => Chart.getChart(document.querySelector('[data-listening-chart]'))")

    page.locator("form[action$='/case/'] button").first.click()
    expect(page.locator(".usa-alert--success, .usa-alert--info").first).to_contain_text("Made case")
    assert Case.objects.count() == 1 and PostCase.objects.count() == 1
    number = Case.objects.get().number
    expect(page.locator(f"a[href='/staff/cases/{number}/']").first).to_be_visible()

    page.goto(f"{base}/staff/listening/alerts/{listened['alert'].pk}/")
    expect(page.locator("main h1")).to_contain_text("Surge at")
    assert axe_violations(page) == []
    expect(page.locator("#id_reason")).to_have_attribute("required", "")  # a dismissal needs its reason
    page.fill("#id_reason", "A drill, not a flood")
    page.get_by_role("button", name="Dismiss the alert").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Dismissed the alert")
    expect(page.locator("main h1")).to_contain_text("Dismissed")
    page.get_by_role("link", name="Declare an incident from this alert").click()
    expect(page.locator("#id_title_en")).to_have_value("Surge of posts: water, flood, main")
    assert axe_violations(page) == []
    assert [e for e in errors if "favicon" not in e and " 400 " not in f" {e} "] == [], errors
    context.close()
