"""Issue 13 item 6 in the browser: the live queue (its panel refreshes by itself, its figures open the inbox) and the
trends (charts drawn, tables and summaries, the map of missed targets) pass axe at 1280 and 390 px, with no script
errors."""

from typing import Any

import pytest
from playwright.sync_api import expect

from civicdesk.cases.models import Case
from civicdesk.dashboards.tests.helpers import build_desk, target, ward_point
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.lookup import invalidate
from civicdesk.metrics.actions import catch_up
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]


def signed_in(context: Any, base: str, client: Any, user: Any) -> None:
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


@pytest.mark.parametrize("width", [1280, 390])
def test_the_dashboards_pass_axe_refresh_and_link_to_the_inbox(live_server: Any, client: Any, width: int) -> None:
    seed_boundaries()
    invalidate()
    desk = build_desk(2, where=ward_point("Ward 3"))
    catch_up()
    with launch_chromium() as chromium:
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="en")
        signed_in(context, live_server.url, client, desk["sup_works"])
        page = context.new_page()
        errors = watch(page)
        page.goto(f"{live_server.url}/staff/dashboard/")
        unassigned = page.locator(".cd-dash-tile").nth(1)
        expect(unassigned).to_contain_text("6")
        assert axe(page) == [], "live queue"
        late = create_case(service=desk["unassigned"][0].service)  # a new case: the panel shows it by itself
        target(late, breached=True)
        expect(unassigned).to_contain_text("7", timeout=15_000)
        unassigned.locator("a").click()
        expect(page).to_have_url(f"{live_server.url}/staff/?status_group=open&view=unassigned")
        expect(page.locator("#case-list")).to_contain_text(late.number)
        page.goto(f"{live_server.url}/staff/dashboard/trends/")
        page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas[data-trend-chart]').length"
                               " === 3 && [...document.querySelectorAll('canvas[data-trend-chart]')]"
                               ".every(c => Chart.getChart(c))")
        expect(page.locator("#missed-map.leaflet-container")).to_have_attribute("data-areas-drawn", "6")
        expect(page.locator("#created-summary")).to_contain_text("cases created")
        expect(page.locator("#missed-summary")).to_contain_text("Ward 3")
        assert axe(page) == [], "trends"
        page.get_by_label("Period", exact=True).select_option("week")
        page.get_by_label("Group by", exact=True).select_option("service")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(f"{live_server.url}/staff/dashboard/trends/?period=week&group_by=service"
                                 "&hours=business")
        assert axe(page) == [], "trends by week and service"
        assert Case.objects.filter(agency=desk["works"]).count() == 11
        assert [e for e in errors if "favicon" not in e] == []
        context.close()
