"""In Chromium: a supervisor connects a Twilio number on the Channels page by keyboard, copies its webhook address
and disables it; an agent's composer counts SMS segments as they type and asks to confirm a 10-segment text; axe
finds nothing at 1280 and 390 px."""

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.contacts.actions import resolve_contact
from civicdesk.inbox.tests.test_browser_team import browser, clean_at_every_width, sign_in  # noqa: F401
from civicdesk.testing.browser import watch
from civicdesk.testing.factories import create_agency, create_case, create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TOKEN = "0123456789abcdef" * 2


def type_into(page: Page, label: str, text: str, exact: bool = False) -> None:
    field = page.get_by_label(label, exact=exact)
    field.focus()
    page.keyboard.type(text)


def test_a_supervisor_connects_a_number_copies_its_address_and_disables_it(live_server, transactional_db, world,
                                                                           browser):  # noqa: F811
    police = create_agency("police", "Police")
    ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO, agency=police, address="+12155550300")
    create_staff("wsup", role=StaffRole.SUPERVISOR, agencies=[world.works])
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, "wsup")

    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Channels", exact=True).click()
    expect(page.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    expect(page.get_by_text("+12155550300")).to_have_count(0)  # another agency's number
    page.locator("#twilio_agency").focus()
    page.keyboard.press("ArrowDown")  # the one agency this supervisor manages
    type_into(page, "Twilio phone number", "(215) 555-0177")
    type_into(page, "Account SID", "AC" + "ab" * 16)
    type_into(page, "Auth token", TOKEN, exact=True)
    type_into(page, "Name for staff (optional)", "Works text line")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Connected +12155550177 to Public Works.")).to_be_visible()
    account = ChannelAccount.objects.get(address="+12155550177")
    assert account.agency == world.works and account.credentials()["auth_token"] == TOKEN
    assert TOKEN not in page.content()
    section = page.locator(f"#account-{account.pk}")
    voice = section.get_by_label("A call comes in (webhook, HTTP POST)")
    expect(voice).to_have_value(f"{settings.SITE_URL}/hooks/twilio/{account.pk}/voice/")  # what Twilio signs
    clean_at_every_width(page)

    section.get_by_role("button", name="Copy").nth(2).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/hooks/twilio/{account.pk}/voice/")

    section.get_by_role("button", name="Disable +12155550177").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("+12155550177 is disabled")).to_be_visible()
    account.refresh_from_db()
    assert not account.is_active
    clean_at_every_width(page)
    assert [e for e in errors if "favicon" not in e] == []


def test_the_composer_counts_segments_and_asks_before_a_ten_segment_text(live_server, transactional_db, world,
                                                                         browser):  # noqa: F811
    case = create_case(service=world.pothole, email="rosa@example.com", subject="Hole", body="A hole.")
    resolve_contact([("email", "rosa@example.com"), ("phone", "+12155550100")])
    page = browser.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    page.get_by_label("Send to").select_option(label="Phone (E.164): +12155550100")
    counter = page.locator("[data-cd-sms-line]")
    expect(counter).to_have_text("0 text messages (SMS segments), GSM-7, 0 of 1,600 characters.")
    text = page.locator("#reply_text")
    text.focus()
    page.keyboard.type("Fixed on Tuesday {crew 4}")
    expect(counter).to_have_text("1 text message (SMS segment), GSM-7, 25 of 1,600 characters.")
    page.keyboard.type(" ✓")
    expect(counter).to_have_text("1 text message (SMS segment), UCS-2, 27 of 1,600 characters.")
    expect(page.locator("[data-cd-sms-status]")).to_have_text(
        "1 text message (SMS segment), UCS-2, 27 of 1,600 characters.")
    long = "The crew will close the street. " * 47  # 1,504 characters: 10 segments of GSM-7
    text.fill(long)
    expect(counter).to_have_text("10 text messages (SMS segments), GSM-7, 1,504 of 1,600 characters.")
    warning = page.locator("[data-cd-sms-long]")
    expect(warning).to_be_visible()
    clean_at_every_width(page, "#reply-form")
    page.get_by_role("button", name="Send reply").click()
    assert not Message.objects.filter(case=case, direction=Direction.OUTBOUND, channel="sms").exists()
    confirm = page.get_by_label("Send it as several text messages anyway")
    confirm.focus()
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply queued for delivery.")).to_be_visible()
    sent = Message.objects.get(case=case, direction=Direction.OUTBOUND, channel="sms")
    assert sent.visible_text == long.strip()
    assert [e for e in errors if "favicon" not in e] == []
