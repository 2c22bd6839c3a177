"""The whole loop in a real browser: a resident asks on the portal, an agent replies, the resident sees the reply.

Every portal page on the way is checked with axe-core against WCAG 2.1 A/AA, and the page must raise no
Content-Security-Policy or script errors and load all its static files.
"""

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from civicdesk.agencies.models import AttributeDatatype as D
from civicdesk.cases.models import Case
from civicdesk.testing.browser import axe_violations, launch_chromium
from civicdesk.testing.factories import create_agency, create_service, create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPLY_TEXT = "A crew will fill the pothole on Tuesday morning."
EMAIL = "resident@example.com"


class PageWatcher:
    """Collects axe violations, console errors (CSP included) and failed static files across pages."""

    def __init__(self) -> None:
        self.violations: dict[str, list[dict]] = {}
        self.errors: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)  # static files, photos
        return page

    def check(self, page: Page, name: str) -> None:
        violations = axe_violations(page)
        if violations:
            self.violations[name] = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations
            ]

    def assert_clean(self, expected_pages: int, checked: list[str]) -> None:
        assert len(checked) == expected_pages
        if self.violations:
            print(json.dumps(self.violations, indent=2))
        assert not self.violations, f"axe found WCAG 2.1 AA violations on: {sorted(self.violations)}"
        assert not self.errors, "\n".join(self.errors)


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


def png_file() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, "PNG")
    return {"name": "pothole.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def agent_replies(browser: Browser, base_url: str, number: str) -> None:
    """The agent signs in and replies on the staff case page (whose own checks live in the inbox's tests)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/staff/login/")
    page.locator("[name=username]").fill("agent")
    page.locator("[name=password]").fill("demo")
    page.locator("[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base_url}/staff/cases/{number}/")
    page.get_by_role("textbox", name="Message").fill(REPLY_TEXT)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text(REPLY_TEXT).first).to_be_visible()
    context.close()


def test_resident_request_agent_reply_resident_sees_it(live_server, transactional_db, browser):
    agency = create_agency("public-works", "Public Works")
    create_service(agency, "pothole", name="Pothole", group="Streets", keywords="road, hole",
                   description="A hole in the road surface.", attributes=[
        {"code": "note", "description": "If someone is hurt, call 911.", "variable": False},
        {"code": "size", "datatype": D.SINGLE_VALUE_LIST, "description": "How big is it?", "required": True,
         "values": [{"key": "small", "name": "Smaller than a plate"}, {"key": "large", "name": "Larger"}]},
        {"code": "lanes", "datatype": D.MULTI_VALUE_LIST, "description": "Which lanes?",
         "values": [{"key": "left", "name": "Left lane"}, {"key": "right", "name": "Right lane"}]},
        {"code": "depth", "datatype": D.NUMBER, "description": "Depth in centimetres"},
        {"code": "seen_at", "datatype": D.DATETIME, "description": "When did you first see it?"},
    ])
    create_service(agency, "streetlight", name="Streetlight out", group="Lights and signals")
    agent = create_staff("agent", agencies=[agency])
    base = live_server.url
    watcher, checked = PageWatcher(), []

    def check(page: Page, name: str) -> None:
        checked.append(name)
        watcher.check(page, name)

    resident = browser.new_context()
    page = watcher.watch(resident.new_page())

    page.goto(f"{base}/agencies/")
    expect(page.get_by_role("heading", name="Public Works")).to_be_visible()
    check(page, "agencies")

    # Home: search with the keyboard.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    check(page, "home")
    page.get_by_label("Search services").first.focus()
    page.keyboard.type("road")
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Matching services").get_by_role("link").first).to_have_text("Pothole")
    expect(page.get_by_role("link", name="Streetlight out")).to_have_count(0)
    check(page, "services")
    page.get_by_role("link", name="Pothole").click()

    # The form, first sent incomplete: the error summary takes focus and links to the field.
    expect(page.get_by_role("heading", name="Pothole", level=1)).to_be_visible()
    check(page, "form")
    page.get_by_label("Describe the problem or request").fill("Deep pothole in front of number 12.")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Phone number").fill("12")
    page.get_by_role("button", name="Send request").press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose an answer for “How big is it?”.")
    expect(summary).to_contain_text("Enter a valid phone number")
    expect(summary).to_contain_text("Tell us where")
    expect(page.get_by_label("Describe the problem or request")).to_have_value("Deep pothole in front of number 12.")
    check(page, "form with errors")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#id_attr_size_0"

    # Corrected with the keyboard where it is natural: radio and checkbox with Space.
    page.locator("#id_attr_size_1").focus()
    page.keyboard.press("Space")
    page.get_by_label("Left lane").focus()
    page.keyboard.press("Space")
    page.get_by_label("Depth in centimetres").fill("15")
    page.get_by_label("When did you first see it?").fill("2026-03-01T08:30")
    page.get_by_label("Address or place").fill("12 Main Street")
    page.get_by_label("Phone number").fill("202-456-1111")
    page.locator("#id_photos").set_input_files(png_file())
    page.get_by_role("button", name="Send request").focus()
    page.keyboard.press("Enter")

    # Confirmation with the case number.
    expect(page.get_by_role("heading", name="We received your request")).to_be_visible()
    number = page.locator(".cd-case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.attributes["size"] == "large" and case.attributes["lanes"] == ["left"]
    assert case.address == "12 Main Street" and case.contact.email == EMAIL
    check(page, "confirmation")
    resident.close()

    agent_replies(browser, base, number)
    # a private reply (the default): the resident sees it on their status page once verified
    assert case.messages.filter(direction="out", author=agent, body_text=REPLY_TEXT, is_public=False).exists()

    # A new browser: the resident looks the request up with number and email.
    resident = browser.new_context()
    page = watcher.watch(resident.new_page())
    page.goto(f"{base}/status/")
    check(page, "status lookup")
    page.get_by_label("Request number").fill(number)
    page.get_by_label("Email address").fill(EMAIL)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Request {number}")).to_be_visible()
    expect(page.get_by_text(REPLY_TEXT)).to_be_visible()
    expect(page.get_by_text("Deep pothole in front of number 12.")).to_be_visible()
    photo = page.get_by_role("img", name="Photo 1 you sent with this request")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 40  # once it has loaded
    assert "source sans" in page.evaluate("getComputedStyle(document.body).fontFamily").lower()  # USWDS CSS loaded
    check(page, "status page")
    resident.close()

    watcher.assert_clean(8, checked)
