"""The team's assignment settings in Chromium: a supervisor chooses round robin and a capacity by keyboard, the page
passes axe at 1280 and 390 px with no sideways scroll; an agent marks themself away from the inbox."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from civicdesk.assignment.models import AssignmentMode, TeamAssignment
from civicdesk.assignment.tests.conftest import at_desk, make_desk
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.signin import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1280, 390)


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with launch_chromium() as chromium:
        yield chromium


def signed_in_as(browser, url: str, user) -> Page:
    client = staff_login(Client(), user)
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME]
                          .value, "url": url}])
    return context.new_page()


def clean_at_every_width(page: Page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == [], f"axe at {width} px on {page.url}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} overflows by {overflow} px at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_supervisor_sets_round_robin_and_a_capacity_by_keyboard(live_server, transactional_db, browser):
    desk = make_desk()
    at_desk(desk.ana)
    page = signed_in_as(browser, live_server.url, desk.supervisor)
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/team/")
    page.get_by_role("link", name="Assignment settings of Road crew").click()
    expect(page.get_by_role("heading", name="Assignment of Road crew")).to_be_visible()
    clean_at_every_width(page)
    page.get_by_label("Round robin: each available agent in turn").focus()
    page.keyboard.press("Space")
    page.get_by_label("Open cases per agent").fill("4")
    page.get_by_label("Own capacity of Ben Okafor").fill("0")
    page.get_by_role("button", name="Save assignment settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The assignment settings of Road crew are saved")).to_be_visible()
    policy = TeamAssignment.objects.get(team=desk.crew)
    assert (policy.mode, policy.capacity) == (AssignmentMode.ROUND_ROBIN, 4)
    expect(page.get_by_role("row", name="Ana Ruiz")).to_contain_text("Yes")
    expect(page.get_by_role("row", name="Ben Okafor")).to_contain_text("No: not at the desk")
    assert errors == []
    page.get_by_label("Open cases per agent").fill("0")
    page.get_by_role("button", name="Save assignment settings").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 1.")).to_be_visible()
    assert any(e.startswith("400 ") for e in errors)  # the form comes back with its error, answered 400
    clean_at_every_width(page)  # the errors too


def test_an_agent_marks_themself_away_and_back_from_the_inbox(live_server, transactional_db, browser):
    desk = make_desk()
    page = signed_in_as(browser, live_server.url, desk.ana)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("button", name="Mark me away").click()
    expect(page.get_by_text("You are marked away")).to_be_visible()
    clean_at_every_width(page)
    page.get_by_role("button", name="I am back").click()
    expect(page.get_by_text("You are back")).to_be_visible()
    desk.ana.staff.refresh_from_db()
    assert not desk.ana.staff.is_away
