"""In Chromium: the portal's address combobox moves the pin, a dropped pin fills the nearest address, and maps
without a tile server draw the city's streets with a legend; axe passes on the form at 1280 and 390 px."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from civicdesk.gis.demo import seed_boundaries
from civicdesk.places.demo import seed_places
from civicdesk.testing.browser import CANVAS_PAINTED as PAINTED
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_service

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def riverbend(transactional_db):
    works = create_agency("public-works", "Public Works")
    create_agency("311", "Riverbend 311")
    create_service(works, "pothole", name="Pothole")
    seed_boundaries()
    seed_places()


@override_settings(MAP_TILE_URL="")
def test_typing_an_address_and_picking_a_suggestion_with_the_keyboard_moves_the_pin(live_server, riverbend,
                                                                                     browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/services/pothole/")
    address = page.get_by_role("combobox", name="Address or place")
    address.click()
    address.press_sequentially("100 mian", delay=30)
    suggestions = page.get_by_role("listbox", name="Suggested addresses and places")
    expect(suggestions).to_be_visible(timeout=15000)  # a loaded test machine answers the search slowly
    expect(address).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("option").first).to_contain_text("100 Main Street")
    address.press("ArrowDown")
    expect(page.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    expect(address).to_have_attribute("aria-activedescendant", page.get_by_role("option").first.get_attribute("id"))
    address.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(address).to_have_value("100 Main Street")
    expect(page.locator("input[name=lat]")).to_have_value("39.998064")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    # Escape closes the list without choosing
    address.fill("")
    address.press_sequentially("city hal", delay=30)
    expect(page.get_by_role("option").first).to_contain_text("Riverbend City Hall")
    address.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(address).to_have_value("city hal")
    assert errors == []


@override_settings(MAP_TILE_URL="")
def test_a_dropped_pin_or_the_centre_button_fills_the_nearest_address(live_server, riverbend, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/services/pothole/")
    address = page.locator("input[name=address]")
    picker = page.locator("#gis-picker-map")
    picker.scroll_into_view_if_needed()
    expect(page.locator(".gis-crosshair")).to_be_visible()
    box = picker.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
    expect(address).to_have_value(__import__("re").compile(r"^\d+ [A-Z]\w+ (Street|Avenue|Road|Lane|Drive|Way)$"))
    expect(page.locator("[data-gis-status]")).to_contain_text("The nearest address")
    first = address.input_value()
    # keyboard: pan the map so the crosshair is elsewhere, then the centre button gives the same result
    picker.focus()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Put the pin at the centre of the map").click()
    expect(address).not_to_have_value(first)
    expect(address).not_to_have_value("")
    assert errors == []


@override_settings(MAP_TILE_URL="")
def test_maps_without_tiles_draw_streets_and_a_legend_and_the_form_passes_axe(live_server, riverbend, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("[data-gis-legend]")).to_contain_text("Main road")
    expect(page.locator("[data-gis-legend]")).to_contain_text("City boundary")
    page.wait_for_function(PAINTED, arg="#gis-map .leaflet-basemap-pane canvas")
    expect(page.locator(".gis-place-label", has_text="Riverbend City Hall")).to_be_visible()
    expect(page.locator(".gis-area-label", has_text="Ward 1")).to_be_visible()
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/services/pothole/")
        page.wait_for_function(PAINTED, arg="#gis-picker-map .leaflet-basemap-pane canvas")
        expect(page.locator("#gis-picker-map [data-gis-legend] summary")).to_have_text("Map key")
        assert axe(page) == [], width
    assert errors == []
