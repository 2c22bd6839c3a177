"""axe-core WCAG 2.1 A/AA on every public page at 1280 and 390 px wide, the mobile menu open too, in Chromium.

Also in the browser: the mobile menu hides the page behind it without leaving anything focusable there, gives the
focus back to the menu button when it closes, and the confirmation page moves the focus to its success message.
A language is a parameter: add one to LANGUAGES once its catalogue is in (the browser asks for it by
Accept-Language, and every page must then be served in it).
"""

import json
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from civicdesk.cases.followers import unsubscribe_token
from civicdesk.gis.demo import seed_boundaries
from civicdesk.testing.browser import axe_violations, launch_chromium
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LANGUAGES = ["en", "es"]
WIDTHS = [1280, 390]
DESCRIPTION = "A deep pothole in front of number 12."
# What the test finds buttons, fields and headings by, in each language.
NAMES = {
    "en": {"description": "Describe the problem or request", "email": "Email address", "address": "Address or place",
           "send": "Send request", "see status": "See the status", "number": "Request number", "check": "Check status",
           "refused": "Your form could not be sent"},
    "es": {"description": "Describa el problema o la solicitud", "email": "Correo electrónico",
           "address": "Dirección o lugar", "send": "Enviar solicitud", "see status": "Ver el estado",
           "number": "Número de solicitud", "check": "Consultar el estado",
           "refused": "No se pudo enviar su formulario"},
}


@pytest.fixture
def browser() -> Any:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def city(transactional_db: Any, settings: Any) -> dict[str, Any]:
    settings.ROOT_URLCONF = "civicdesk.web.tests.error_urls"  # the site, plus /forbidden/ and /boom/
    works = create_agency("public-works", "Public Works")
    create_agency(settings.DEFAULT_AGENCY_SLUG, "Riverbend 311")
    service = create_service(works, "pothole", name="Pothole", group="Streets", keywords="road, hole",
                             description="A hole in the road surface.")
    seed_boundaries()
    mapped = create_case(service=service, lat=40.0003, lon=-75.0002, email="first@example.com")
    return {"service": service, "mapped": mapped}


class Audit:
    """axe violations per page and state, and the failed static files and script errors seen on the way."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.violations: dict[str, list[dict[str, Any]]] = {}
        self.errors: list[str] = []
        self.checked: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)

    def check(self, name: str, language: str) -> None:
        """axe on the page as it is; at phone width, again with the mobile menu open (then closed again)."""
        assert self.page.evaluate("document.documentElement.lang").startswith(language), name
        self._axe(name)
        menu = self.page.locator(".usa-menu-btn")
        if menu.count() and menu.is_visible():
            menu.click()
            expect(self.page.locator(".usa-nav")).to_be_visible()
            expect(self.page.locator(".usa-nav__close")).to_be_focused()
            self._axe(f"{name} (menu open)")
            self.page.locator(".usa-nav__close").click()
            expect(menu).to_be_focused()

    def _axe(self, name: str) -> None:
        self.checked.append(name)
        found = axe_violations(self.page)
        if found:
            self.violations[name] = [{"id": v["id"], "impact": v["impact"],
                                      "nodes": [n["target"] for n in v["nodes"]][:5]} for v in found]

    def assert_clean(self) -> None:
        if self.violations:
            print(json.dumps(self.violations, indent=2))
        assert not self.violations, f"axe found WCAG 2.1 A/AA violations on: {sorted(self.violations)}"
        assert not self.errors, "\n".join(self.errors)


def submit_request(page: Page, names: dict[str, str]) -> None:
    page.get_by_label(names["description"]).fill(DESCRIPTION)
    page.get_by_label(names["email"]).fill("resident@example.com")
    page.get_by_label(names["address"]).fill("12 Main Street")
    page.get_by_role("button", name=names["send"]).click()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_passes_axe_at_desktop_and_phone_width(live_server: Any, city: dict[str, Any],
                                                                 browser: Browser, language: str,
                                                                 width: int) -> None:
    base = live_server.url
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=language)
    page = context.new_page()
    audit = Audit(page)
    names = NAMES[language]

    for path, name in [("/", "home"), ("/services/", "services"), ("/agencies/", "agencies"),
                       ("/status/", "status lookup"), ("/map/", "public map"),
                       ("/open-data/", "open data")]:
        page.goto(base + path)
        audit.check(name, language)

    page.goto(f"{base}/services/pothole/")
    expect(page.get_by_role("heading", name="Pothole", level=1)).to_be_visible()
    audit.check("service form", language)
    submit_request(page, names)
    success = page.locator("#success-message")
    expect(success).to_be_visible()
    expect(success).to_be_focused()  # screen readers and keyboards start at the news
    audit.check("confirmation", language)
    page.locator("a[href^='/status/']", has_text=names["see status"]).click()
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    audit.check("status detail", language)

    mapped = city["mapped"]
    page.goto(base + reverse("portal:unsubscribe", kwargs={"token": unsubscribe_token(mapped, mapped.contact)}))
    audit.check("unsubscribe", language)

    for path, status, name in [("/no-such-page/", 404, "404"), ("/forbidden/", 403, "403"), ("/boom/", 500, "500")]:
        response = page.goto(base + path)
        assert response is not None and response.status == status, name
        audit.check(name, language)

    page.goto(f"{base}/status/")  # a form left open while its security cookie is lost: the CSRF page
    context.clear_cookies()
    page.get_by_label(names["number"]).fill(mapped.number)
    page.get_by_label(names["email"]).fill("first@example.com")
    page.get_by_role("button", name=names["check"]).first.click()
    expect(page.get_by_role("heading", name=names["refused"])).to_be_visible()
    audit.check("403 refused form", language)

    context.close()
    assert len(audit.checked) >= 13
    audit.assert_clean()
