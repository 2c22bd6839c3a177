"""SMS consent in Chromium: the flagged request to stop texts on the case page (decided by keyboard), the composer's
refusal for a number that opted out, the opt-out record page; axe at 1280 and 390 px."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from civicdesk.conversations.models import StopRequest, StopRequestStatus
from civicdesk.conversations.tests.consent_helpers import ADAPTER, OTHER_NUMBER, our_number, text
from civicdesk.conversations.tests.inbound import receive
from civicdesk.inbox.tests.test_browser_composer_page import sign_in, tab_to
from civicdesk.testing.browser import axe, launch_chromium, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(settings: Any):
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}  # the account's provider sends
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def works_number(world):
    return our_number(world.works)


def sms_case(account, body, **kwargs):
    return receive(text(body, account, agency_slug=account.agency.slug, **kwargs)).case


def no_overflow(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_flagged_request_is_confirmed_by_keyboard_and_the_composer_then_refuses(live_server, transactional_db,
                                                                                  world, browser, works_number,
                                                                                  width):
    case = sms_case(works_number, "please stop texting me")
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    flag = page.get_by_role("region", name="The resident may have asked to stop texts")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("“stop texting”")
    expect(flag).to_contain_text("Decide by")
    assert axe(page) == []
    no_overflow(page, width)
    tab_to(page, "form[action$='/confirm/'] button")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Opted out: no more texts go to this number from that sender.")).to_be_visible()
    expect(page.get_by_role("region", name="The resident may have asked to stop texts")).to_have_count(0)
    assert StopRequest.objects.get().status == StopRequestStatus.CONFIRMED
    refused = page.locator("#reply-refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text(f"opted out of texts from {works_number.address}")
    expect(page.locator(".cd-opt-outs")).to_contain_text(f"opted out of texts from {works_number.address}")
    page.locator("#reply_text").fill("We fixed the pothole.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-form [role=alert]").first).to_contain_text("opted out of texts from")
    assert axe(page) == []
    no_overflow(page, width)
    # the refused reply's 400 is the only error (the console's line for it names no URL; the response's does)
    assert [e for e in errors if "/reply/" not in e and "status of 400" not in e] == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_opt_out_record_page_passes_axe(live_server, transactional_db, world, browser, works_number, width):
    receive(text("STOP", works_number))
    receive(text("Basta", our_number(world.parks, OTHER_NUMBER), sender="+12155550111"))
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/staff/opt-outs/")
    expect(page.get_by_role("heading", name="Text opt-outs")).to_be_visible()
    expect(page.get_by_text("2 changes are on record")).to_be_visible()
    assert axe(page) == []
    no_overflow(page, width)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the CSV").click()
    assert download.value.suggested_filename.startswith("opt-outs-")
