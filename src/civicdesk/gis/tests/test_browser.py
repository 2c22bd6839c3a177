"""The pin picker and the nearby-duplicate prompt on the real portal form, and the case maps, in Chromium."""

import pytest
from playwright.sync_api import expect

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case
from civicdesk.gis.demo import seed_boundaries
from civicdesk.testing.browser import CANVAS_PAINTED as PAINTED
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff

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
    existing = create_case(service=service, lat=40.0003, lon=-75.0002, email="first@example.com")
    return {"service": service, "existing": existing, "works": works}


def test_pin_picker_and_nearby_prompt(live_server, city, browser):
    page = browser.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/services/pothole/")
    picker = page.locator("[data-gis-picker]")
    expect(picker).to_be_visible()
    expect(page.locator("#gis-picker-map.leaflet-container")).to_be_visible()
    # keyboard: focus the map, pan with the arrow keys, then drop the pin at the centre with the button
    page.locator("#gis-picker-map").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Put the pin at the centre of the map").click()
    expect(page.locator("input[name=lat]")).not_to_have_value("")
    # a click on the map puts the pin there; typing coordinates moves it
    page.get_by_role("button", name="Remove the pin").click()
    expect(page.locator("input[name=lat]")).to_have_value("")
    page.locator("#gis-picker-map").scroll_into_view_if_needed()
    box = page.locator("#gis-picker-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat = float(page.locator("input[name=lat]").input_value())
    lon = float(page.locator("input[name=lon]").input_value())
    assert 39.95 < lat < 40.05 and -75.06 < lon < -74.94  # the map starts on the city (it panned a little)
    page.locator("input[name=lat]").fill("40.0004")
    page.locator("input[name=lon]").fill("-75.0004")
    prompt = page.locator("#nearby-duplicates")
    expect(prompt.get_by_role("heading", name="Is it one of these?")).to_be_visible()
    expect(prompt).to_contain_text(city["existing"].number)
    assert axe(page) == []
    prompt.get_by_label(f"Your email address for updates on {city['existing'].number}").fill("second@example.com")
    prompt.get_by_role("button", name="This is my problem too").click()
    expect(prompt).to_contain_text("You now follow request")
    assert Case.objects.get(pk=city["existing"].pk).supporter_count == 1
    # typing coordinates moves the pin and asks again; far away there is nothing to show
    page.locator("input[name=lat]").fill("40.03")
    page.locator("input[name=lon]").fill("-74.96")
    expect(prompt.get_by_role("heading", name="Is it one of these?")).to_have_count(0)
    assert errors == []


def test_maps_render_without_tiles(live_server, city, browser):
    page = browser.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("#gis-map.gis-map--plain")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon, .marker-cluster").first).to_be_visible()
    expect(page.locator(".leaflet-overlay-pane canvas").first).to_be_attached()  # boundaries, drawn on canvas
    expect(page.locator("[data-gis-status]")).to_have_text("1 request on the map.")
    assert axe(page) == []
    create_staff("boss", role=StaffRole.ADMIN, password="pw")
    context = browser.new_context()
    staff_page = context.new_page()
    errors += watch(staff_page)
    cookie = _login_cookie(live_server.url)
    context.add_cookies([cookie])
    staff_page.goto(f"{live_server.url}/staff/map/")
    marker = staff_page.locator(".leaflet-marker-icon").first
    expect(marker).to_be_visible()
    marker.click()
    expect(staff_page.get_by_role("link", name=f"Open case {city['existing'].number}")).to_be_visible()
    with staff_page.expect_response(lambda r: "aggregate=1" in r.url) as heat_data:
        staff_page.get_by_label("Heat map").check()
    cells = heat_data.value.json()
    assert cells["properties"]["aggregated"] and [f["properties"]["count"] for f in cells["features"]] == [1]
    heat = staff_page.locator("#gis-map canvas.leaflet-heatmap-layer")
    expect(heat).to_have_count(1)
    staff_page.wait_for_function(PAINTED, arg="#gis-map canvas.leaflet-heatmap-layer")  # leaflet.heat drew the cell
    staff_page.get_by_label("Heat map").uncheck()
    expect(heat).to_have_count(0)
    staff_page.get_by_label("Heat map").check()
    staff_page.get_by_label("Hotspots").check()
    staff_page.wait_for_timeout(500)
    from datetime import timedelta

    from django.utils import timezone

    from civicdesk.gis.models import Area, Initiative

    initiative = Initiative.objects.create(name="Pothole blitz", area=Area.objects.get(type="city"),
                                           start=timezone.localdate() - timedelta(days=14))
    staff_page.goto(f"{live_server.url}/staff/initiatives/{initiative.pk}/")
    expect(staff_page.locator("#gis-impact-map.leaflet-container")).to_be_visible()
    expect(staff_page.locator("#gis-impact-map .leaflet-overlay-pane canvas")).to_be_attached()
    assert axe(staff_page) == []
    assert errors == []


def _login_cookie(url: str) -> dict:
    from django.conf import settings as s
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from civicdesk.accounts.gate import ENROLLED_KEY

    user = User.objects.get(username="boss")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # past two-factor, which an administrator needs
    session[ENROLLED_KEY] = True
    session.save()
    return {"name": s.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}
