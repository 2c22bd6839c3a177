"""Searching the inbox in Chromium, by keyboard: an email address, a phone number as printed, a word of a reply with
a typo and the end of a case number each bring up the case's row; axe at 1280 and 390 px on the results."""

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from civicdesk.cases.models import Case
from civicdesk.channels.events import SenderIdentity
from civicdesk.conversations import replies
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def rosa(world) -> Case:
    for i in range(5):
        create_case(service=world.pothole, subject=f"Pothole {i}", email=f"r{i}@example.com")
    case = create_case(service=world.pothole, subject="Pothole by the bakery", body="Deep hole in the right lane.",
                       email="rosa.tester@example.com", contact_name="Rosa Tester", address="100 Main Street",
                       extra_identities=[SenderIdentity("phone", "+1 215 555 0100")])
    number = f"{settings.CASE_NUMBER_PREFIX}-{timezone.localdate().year}-002001"
    Case.objects.filter(pk=case.pk).update(number=number)
    case.refresh_from_db()
    replies.reply(case, author=world.works_agent, text="The crew found a hubcap in the hole.")
    create_case(service=world.pothole, subject="Pothole 6", email="last@example.com")
    return case


def rows(page: Page) -> list[str]:
    return page.locator("#case-list tr[data-case]").evaluate_all("rows => rows.map(r => r.dataset.case)")


def search(page: Page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Search cases")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_typing_a_search_in_the_inbox_shows_the_case(live_server, transactional_db, world, browser, rosa):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    assert len(rows(page)) == 7
    for text in ["rosa.tester@example.com", "(215) 555-0100", "hubcapp", "2001", "Rosa 100 Main St"]:
        search(page, text)
        assert rows(page) == [rosa.number], text
        row = page.locator(f"#case-list tr[data-case='{rosa.number}']")
        expect(row).to_contain_text("Pothole by the bakery")
        expect(row).to_contain_text("Rosa Tester")
        expect(page.get_by_role("searchbox", name="Search cases")).to_have_value(text)
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe(page) == []
    search(page, "zzzzzz")
    assert rows(page) == []
    assert axe(page) == []
    assert errors == []
