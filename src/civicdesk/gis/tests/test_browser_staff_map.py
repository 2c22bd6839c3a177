"""The staff map and initiatives in Chromium: markers and clusters by keyboard, the map key, the initiative form."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from civicdesk.agencies.models import StaffRole
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.models import Area, Initiative
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff
from civicdesk.web.tests.test_browser_staff_accessibility import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def city(transactional_db):
    works = create_agency("public-works", "Public Works")
    create_agency("311", "Riverbend 311")
    service = create_service(works, "pothole", name="Pothole")
    seed_boundaries()
    near = [create_case(service=service, lat=40.0003 + i * 0.001, lon=-75.0002, email=f"n{i}@example.com")
            for i in range(3)]  # close together: one cluster until zoomed in
    supervisor = create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[works])
    agent = create_staff("agent", agencies=[works])
    return {"works": works, "service": service, "near": near, "supervisor": supervisor, "agent": agent}


def signed_in(browser, url: str, user: Any, width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(url, user, verified=True)])
    return context.new_page()


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate("""() => { const e = document.activeElement;
        return {cls: typeof e.className === "string" ? e.className : "",
                label: e.getAttribute("aria-label") || e.getAttribute("alt") || "", tag: e.tagName}; }""")


def tab_to(page: Page, css_class: str, limit: int = 15) -> dict[str, Any]:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if css_class in now["cls"]:
            return now
    raise AssertionError(f"Tab never reached .{css_class}; last: {now}")


def test_markers_and_clusters_open_by_keyboard_and_the_key_explains_every_layer(live_server, city, browser):
    page = signed_in(browser, live_server.url, city["supervisor"])
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/map/")
    expect(page.get_by_role("link", name="Map", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Inbox")).to_be_visible()  # the way back

    # the key: every layer in words, the hotspots plainly, the statistics behind a disclosure
    key = page.locator("[data-gis-key]")
    expect(key.get_by_role("heading", name="Map key")).to_be_visible()
    for heading in ("Requests", "Heat map", "Hotspots", "Boundaries"):
        expect(key.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(key).to_contain_text("Unusually many requests here (95% confidence)")
    expect(key).to_contain_text("Unusually few requests here")
    expect(key).to_contain_text("Wards")  # the boundary types loaded, drawn as on the map
    detail = key.get_by_text("Getis-Ord Gi*")
    expect(detail).to_be_hidden()
    key.get_by_text("How hotspots are found").focus()
    page.keyboard.press("Enter")
    expect(detail).to_be_visible()
    expect(key).to_contain_text("Benjamini-Hochberg false discovery rate")

    # keyboard: from the map to the cluster, Enter zooms into it and focuses a marker inside
    cluster = page.locator(".marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_attribute("aria-label", "Group of 3 requests. Zoom in.")
    page.locator("#gis-map").focus()
    tab_to(page, "marker-cluster")
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-marker-icon:not(.marker-cluster)")).to_have_count(3, timeout=5000)
    page.wait_for_function("() => document.activeElement.classList.contains('leaflet-marker-icon')"
                           " && !document.activeElement.classList.contains('marker-cluster')")
    marker = focused(page)
    assert "marker-cluster" not in marker["cls"] and marker["label"].endswith("Pothole (New)")
    number = marker["label"].split(":")[0]

    # Enter opens the popup and puts the focus on its link; Escape closes it and gives the focus back
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name=f"Open case {number}")
    expect(link).to_be_focused()
    assert axe(page) == []
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert focused(page)["label"] == marker["label"]
    # Space opens it too; Tab reaches the close button; Enter on the link opens the case
    page.keyboard.press(" ")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=number)).to_be_visible()

    # a click opens a popup as before
    page.go_back()
    page.locator(".marker-cluster").click()
    markers = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    expect(markers).to_have_count(3, timeout=15000)  # the cluster's zoom has ended (slow on a loaded machine)
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
    markers.first.click()
    expect(page.locator(".leaflet-popup").get_by_role("link")).to_be_visible(timeout=15000)
    # the hotspot layer says in words what it found
    with page.expect_response(lambda r: "hotspots.geojson" in r.url):
        page.get_by_label("Hotspots").check()
    expect(page.locator("[data-gis-status]")).to_contain_text("Hotspots:")
    assert [e for e in errors if "favicon" not in e] == []


def test_a_supervisor_creates_and_changes_an_initiative_in_the_staff_ui(live_server, city, browser):
    page = signed_in(browser, live_server.url, city["supervisor"])
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/initiatives/")
    expect(page.get_by_role("link", name="Initiatives")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="New initiative").click()
    expect(page.get_by_role("heading", name="New initiative", level=1)).to_be_visible()
    expect(page.locator("#initiative-area-map.leaflet-container")).to_be_visible()

    # sent empty: the errors are listed, linked to their fields, and the page passes axe
    page.get_by_role("button", name="Create initiative").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("The initiative was not saved")
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []

    ward = Area.objects.filter(type="ward").order_by("name").first()
    page.get_by_label("Name").fill("Pothole blitz")
    page.get_by_label("Description").fill("Two extra crews on the east side.")
    page.get_by_label("Area", exact=True).select_option(label=f"Ward: {ward.name}")
    expect(page.locator("[data-area-status]")).to_have_text(f"The map shows Ward: {ward.name}.")
    page.locator("label", has_text="Pothole (Public Works)").click()  # USWDS draws the box on the label
    page.get_by_label("Start date").fill((timezone.localdate() - timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Create initiative").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Pothole blitz", level=1)).to_be_visible()
    expect(page.get_by_text("Created the initiative “Pothole blitz”.")).to_be_visible()
    initiative = Initiative.objects.get()
    assert initiative.agency == city["works"] and initiative.area == ward
    assert list(initiative.services.all()) == [city["service"]]
    expect(page.locator("#gis-impact-map.leaflet-container")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("link", name="Edit initiative").click()
    expect(page.get_by_label("Name")).to_have_value("Pothole blitz")
    page.get_by_label("Name").fill("Spring pothole blitz")
    page.get_by_role("button", name="Save initiative").click()
    expect(page.get_by_text("Saved the initiative “Spring pothole blitz”.")).to_be_visible()
    initiative.refresh_from_db()
    assert initiative.name == "Spring pothole blitz"
    refused = ("400 (Bad Request)", "/staff/initiatives/new/")  # the empty form sent on purpose
    assert [e for e in errors if "favicon" not in e and not any(r in e for r in refused)] == []

    # an agent sees it, with no way to change it
    agent_page = signed_in(browser, live_server.url, city["agent"])
    agent_page.goto(f"{live_server.url}/staff/initiatives/")
    expect(agent_page.get_by_role("link", name="Spring pothole blitz")).to_be_visible()
    expect(agent_page.get_by_role("link", name="New initiative")).to_have_count(0)
