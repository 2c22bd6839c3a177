"""Probe: a case page served over ASGI gets pushed updates."""

import pytest
from playwright.sync_api import expect

from civicdesk.cases import actions
from civicdesk.chatdesk.tests.asgi_server import asgi_live_server
from civicdesk.testing.browser import launch_chromium
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_probe(transactional_db, world):
    case = create_case(service=world.pothole, subject="Pothole", email="p@example.com")
    with asgi_live_server() as url, launch_chromium() as chromium:
        page = chromium.new_page()
        page.goto(f"{url}/staff/")
        page.get_by_label("Username").fill("wanda")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{url}/staff/cases/{case.number}/")
        expect(page.locator("html[data-cd-live=push]")).to_have_count(1, timeout=5000)
        page.wait_for_timeout(1500)
        actions.add_note(case, author=world.works_agent2, text="pushed note")
        expect(page.get_by_text("pushed note")).to_be_visible(timeout=3000)
