"""The sign-in pages in Chromium: two-factor, password change and reset, lockout; axe-clean and usable by keyboard."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from civicdesk.testing.browser import axe, free_port, launch_chromium, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()
    with launch_chromium() as chromium:
        yield chromium


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_admin_sets_up_two_factor_changes_password_and_signs_in_with_a_recovery_code(live_server, transactional_db,
                                                                                      world, browser):
    page = browser.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "boss", "demo")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".cd-qr svg")).to_be_visible()
    assert axe(page) == []
    device = TOTPDevice.objects.get(user=world.admin, confirmed=False)
    page.get_by_label("Code").fill(current_code(device))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert axe(page) == []
    codes = page.locator(".cd-recovery-code code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Old password").fill("demo")
    page.locator("#id_new_password1").fill("river-otter-lantern-42")
    page.get_by_label("New password confirmation").fill("river-otter-lantern-42")
    page.get_by_role("button", name="Change password").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()

    page.get_by_role("button", name="Sign out (boss)").click()
    sign_in(page, live_server.url, "boss", "river-otter-lantern-42")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Code").fill(codes[0])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_text("You have 9 recovery codes left.")).to_be_visible()
    assert axe(page) == []
    assert [e for e in errors if "favicon" not in e] == []


def test_a_locked_out_agent_is_told_why_and_can_ask_for_a_reset_link(live_server, transactional_db, world, browser):
    page = browser.new_page()
    for _ in range(5):
        sign_in(page, live_server.url, "wanda", "not-my-password")
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_text("Too many failed sign-in attempts")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="Reset your password by email").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Email").fill("wanda@staff.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert axe(page) == []
