"""The API docs page in Chromium: served from our own files, "Try it out" works with the signed-in staff session
(CSRF token included) and changes a case, and axe finds nothing at 1280 and 390 px, operations open or closed."""

import json

import pytest
from playwright.sync_api import Page, expect

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DRAWN_MS = 30_000  # Swagger UI parses a 1.4 MB bundle and fetches the schema before it draws anything


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/staff/login/?next=/api/docs")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CivicDesk API", timeout=DRAWN_MS)


def operation(page: Page, method: str, path: str):
    return page.locator(f".opblock-{method.lower()}").filter(
        has=page.locator(".opblock-summary-path", has_text=path)).filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')).first


def test_try_it_out_with_the_staff_session_and_axe(live_server, transactional_db, world, browser):
    case = create_case(service=world.pothole, subject="Pothole on Elm", email="elm@example.com")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    errors = watch(page)
    sign_in(page, live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Signed in as wanda")).to_be_visible()
    assert all(url.startswith(live_server.url) for url in requests), "no CDN"
    assert axe(page) == []

    tags = operation(page, "post", "/api/cases/{number}/tags")
    tags.locator(".opblock-summary-control").click()
    tags.get_by_role("button", name="Try it out").click()
    tags.locator('input[placeholder="number"]').fill(case.number)
    tags.locator("textarea.body-param__text").fill(json.dumps({"tag": "from the docs"}))
    assert axe(page) == []
    tags.get_by_role("button", name="Execute").click()
    expect(tags.locator(".live-responses-table tr.response .response-col_status").first).to_have_text(
        "200", timeout=DRAWN_MS)
    assert AuditEntry.objects.get(case=case, action=AuditAction.TAGS_CHANGED).actor == world.works_agent
    assert list(case.tags.values_list("name", flat=True)) == ["from-the-docs"]
    assert axe(page) == []
    assert [e for e in errors if "favicon" not in e] == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CivicDesk API", timeout=DRAWN_MS)
    assert axe(page) == []
