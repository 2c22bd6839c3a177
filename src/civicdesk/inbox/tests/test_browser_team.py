"""Supervisors and administrators in Chromium: the team page, transfer approval and staff accounts, by keyboard,
passing axe at 1280 and 390 px; agents get the 403 page."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from civicdesk.agencies.models import StaffProfile, StaffRole
from civicdesk.cases import actions, transfers
from civicdesk.cases.models import Case, CaseTransfer
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case
from civicdesk.testing.signin import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1280, 390)


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()
    with launch_chromium() as chromium:
        yield chromium


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def signed_in_as(browser, url: str, user) -> Page:
    """A page whose session is a test client's, past two-factor (administrators need it)."""
    client = staff_login(Client(), user)
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME]
                          .value, "url": url}])
    return context.new_page()


def clean_at_every_width(page: Page, within: str = "html") -> None:
    """axe finds nothing at 1280 and 390 px, and `within` (the page, or our part of it) needs no sideways scroll."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == [], f"axe at {width} px on {page.url}"
        overflow = page.evaluate("s => { const e = document.querySelector(s); const r = e.getBoundingClientRect(); "
                                 "return Math.max(e.scrollWidth - e.clientWidth, r.right - window.innerWidth); }",
                                 within)
        assert overflow <= 0, f"{within} on {page.url} overflows by {overflow} px at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_supervisor_marks_an_agent_away_reassigns_their_case_and_approves_a_transfer(live_server, transactional_db,
                                                                                        world, browser):
    world.works.transfer_approval_required = True
    world.works.save()
    case = create_case(service=world.pothole, subject="Pothole on Elm", email="ann@example.com")
    actions.assign(case, actor=world.admin, assignee=world.works_agent)
    tree = create_case(service=world.pothole, subject="Branch down", email="bo@example.com")
    transfers.request_transfer(tree, actor=world.works_agent, to_agency=world.parks, reason="A tree, for Parks.")
    page = browser.new_page()
    errors = watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, "sup")

    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    clean_at_every_width(page)
    row = page.locator(f"#member-{world.works.pk}-{world.works_agent.pk}")
    expect(row).to_contain_text("1")  # one open case
    summary = row.get_by_text("Manage wanda")
    summary.focus()
    page.keyboard.press("Enter")
    row.get_by_label("Away (not available for new cases)").focus()
    page.keyboard.press("Space")
    row.get_by_role("button", name="Save away status").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("wanda is marked away.")).to_be_visible()
    expect(page.locator(f"#member-{world.works.pk}-{world.works_agent.pk}")).to_contain_text("Away")
    assert StaffProfile.objects.get(user=world.works_agent).away

    # the case page's assignee picker says wanda is away; the supervisor gives her case to walt
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    picker = page.locator("#assign_assignee")
    expect(picker.locator("option", has_text="wanda (away)")).to_have_count(1)
    picker.select_option(label="walt")  # the sidebar saves on change, in place
    expect(page.locator("#sidebar-status")).to_contain_text("Saved: assignee walt")
    assert Case.objects.get(pk=case.pk).assignee == world.works_agent2

    # the transfer waiting for approval: on the team page's link, then approved from the list
    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("link", name="1 transfer awaits your approval.").click()
    expect(page.get_by_role("heading", name="Transfers awaiting approval")).to_be_visible()
    expect(page.get_by_text("A tree, for Parks.")).to_be_visible()
    clean_at_every_width(page)
    page.get_by_role("button", name="Approve the transfer to Parks and Recreation").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Approved: {tree.number} is transferred to Parks and Recreation.")).to_be_visible()
    assert Case.objects.get(pk=tree.pk).agency == world.parks and CaseTransfer.objects.get().by == world.works_agent
    assert [e for e in errors if "favicon" not in e] == []


def test_the_case_page_with_a_transfer_awaiting_approval_passes_axe(live_server, transactional_db, world, browser):
    world.works.transfer_approval_required = True
    world.works.save()
    case = create_case(service=world.pothole, subject="Branch down", email="bo@example.com")
    transfers.request_transfer(case, actor=world.works_agent, to_agency=world.parks, reason="A tree, for Parks.")
    page = browser.new_page()
    sign_in(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    expect(page.get_by_role("heading", name="Transfer awaiting approval")).to_be_visible()
    clean_at_every_width(page, "#pending-transfer")  # the rest of the case page is other items' layout
    page.get_by_text("Reject the transfer").click()
    page.get_by_label("Why the transfer is rejected").fill("Road crews clear branches.")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_text(f"Rejected: {case.number} stays with Public Works.")).to_be_visible()
    expect(page.locator("#case-timeline")).to_contain_text("Road crews clear branches.")


def test_an_admin_creates_a_staff_member_and_changes_a_role(live_server, transactional_db, world, browser):
    page = signed_in_as(browser, live_server.url, world.admin)
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    clean_at_every_width(page)
    page.get_by_role("link", name="Add a staff member").click()
    clean_at_every_width(page)
    page.get_by_label("Username").fill("nina")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Park")
    page.get_by_label("Email").fill("nina@staff.example")
    for box in (page.get_by_label("Public Works", exact=True), page.get_by_label("Public Works / Road crew")):
        box.focus()  # by keyboard: USWDS draws its own box over the input
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    page.get_by_role("button", name="Create the account and email the link").click()
    expect(page.get_by_text("Created the account nina.")).to_be_visible()
    clean_at_every_width(page)
    page.get_by_label("Role").select_option("supervisor")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved the changes to Nina Park.")).to_be_visible()
    assert StaffProfile.objects.get(user__username="nina").role == StaffRole.SUPERVISOR
    expect(page.get_by_text("Staff member changed")).to_be_visible()
    assert [e for e in errors if "favicon" not in e] == []


def test_an_agent_gets_the_403_page_on_the_supervisors_and_admins_pages(live_server, transactional_db, world,
                                                                        browser):
    page = browser.new_page()
    sign_in(page, live_server.url, "wanda")
    expect(page.get_by_role("link", name="Team", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Manage", exact=True)).to_have_count(0)
    for path in ("/staff/team/", "/staff/transfers/", "/staff/people/", "/staff/people/new/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    assert axe(page) == []
