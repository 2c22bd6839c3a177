"""Bulk actions in Chromium: rows selected by keyboard and mouse with a live count, an assignment applied to them with
one refusal listed in plain words, the list drawn again in place with its filters; axe at 1280 and 390 px."""

import pytest
from playwright.sync_api import Page, expect

from civicdesk.cases import actions
from civicdesk.cases.models import Case
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def desk(world):
    """Five unassigned Public Works potholes, and a Parks case assigned to Wanda (hers to act on, though Walt, of
    Public Works only, cannot take it), oldest first."""
    works = [create_case(service=world.pothole, subject=f"Pothole {i}", email=f"r{i}@example.com") for i in range(5)]
    parks = create_case(service=world.tree, subject="Tree on the path", email="tree@example.com")
    actions.assign(parks, actor=world.admin, assignee=world.works_agent)
    return {"works": [c.number for c in works], "parks": parks.number}


def sign_in(page: Page, url: str, next_path: str) -> None:
    page.goto(f"{url}/staff/login/?next={next_path}")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def rows(page: Page) -> list[str]:
    return page.locator("#case-list tr[data-case]").evaluate_all("rows => rows.map(r => r.dataset.case)")


def box(page: Page, number: str):
    return page.get_by_role("checkbox", name=f"Select case {number}")


def test_select_by_keyboard_and_mouse_assign_and_see_the_refusal(live_server, transactional_db, world, browser,
                                                                   desk):
    page = browser.new_page(viewport={"width": 1280, "height": 700})
    errors = watch(page)
    sign_in(page, live_server.url, "/staff/%3Fsort%3Doldest")
    order = [*desk["works"], desk["parks"]]
    assert rows(page) == order
    count = page.locator("#bulk-count")
    expect(count).to_have_text("No cases selected")
    expect(count).to_have_attribute("aria-live", "polite")

    # keyboard: "select all on this page" with Space, then one row off again with Space
    select_all = page.get_by_role("checkbox", name="Select all cases on this page")
    select_all.focus()
    page.keyboard.press("Space")
    expect(count).to_have_text("6 cases selected")
    box(page, order[0]).focus()
    page.keyboard.press("Space")
    expect(count).to_have_text("5 cases selected")
    assert page.evaluate("() => document.getElementById('bulk-select-all').indeterminate")
    # mouse: one more off and back on
    box(page, order[1]).click()
    expect(count).to_have_text("4 cases selected")
    box(page, order[1]).click()
    expect(count).to_have_text("5 cases selected")

    # only the chosen action's fields are shown; assign to Walt by keyboard
    expect(page.locator("#bulk_status")).to_be_hidden()
    page.locator("#bulk_action").select_option("assign")
    expect(page.locator("#bulk_assignee")).to_be_visible()
    expect(page.locator("#bulk_status")).to_be_hidden()
    page.locator("#bulk_assignee").select_option(label="walt")
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(100)
    scrolled = page.evaluate("() => window.scrollY")
    apply = page.get_by_role("button", name="Apply to selected")
    apply.focus()
    page.keyboard.press("Enter")

    status = page.get_by_role("status").filter(has_text="Assignment saved")
    expect(status).to_contain_text("Assignment saved on 4 cases.")
    expect(status).to_contain_text("1 case was not changed:")
    expect(status).to_contain_text(f"{desk['parks']}: walt is not on the staff of Parks and Recreation.")
    assert page.evaluate("() => window.scrollY") == scrolled  # no jump to the top
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Apply to selected"
    assert rows(page) == order  # the same filters: still oldest first
    expect(box(page, desk["parks"])).to_be_checked()  # the refused row stays selected for another try
    expect(box(page, order[1])).not_to_be_checked()
    expect(count).to_have_text("1 case selected")
    assigned = dict(Case.objects.filter(number__in=order).values_list("number", "assignee__username"))
    assert assigned == {**dict.fromkeys(order[1:5], "walt"), order[0]: None, desk["parks"]: "wanda"}
    expect(page.locator(f'tr[data-case="{order[1]}"]')).to_contain_text("walt")
    assert axe(page) == []

    # merge: the case to keep is offered from the selected rows only
    box(page, desk["parks"]).click()
    box(page, order[2]).click()
    box(page, order[3]).click()
    page.locator("#bulk_action").select_option("merge")
    options = page.locator("#bulk_survivor option").all_text_contents()
    assert [o.split(" ")[0] for o in options] == [order[2], order[3]]
    assert axe(page) == []
    assert [e for e in errors if "favicon" not in e] == []


def test_the_bulk_bar_at_390_px(live_server, transactional_db, world, browser, desk):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server.url, "/staff/")
    page.get_by_role("checkbox", name="Select all cases on this page").check()
    page.locator("#bulk_action").select_option("status")
    page.locator("#bulk_status").select_option("new")
    page.get_by_role("button", name="Apply to selected").click()
    status = page.get_by_role("status").filter(has_text="needed no change")
    expect(status).to_contain_text("No case was changed. 5 selected cases needed no change.")
    expect(status).to_contain_text(f"{desk['parks']}: A case cannot go back to New once someone has worked on it.")
    assert page.evaluate("() => document.documentElement.scrollWidth <= 390")
    expect(page.locator("#bulk-count")).to_have_text("1 case selected")  # the refused row, for another try
    assert axe(page) == []
    page.get_by_role("checkbox", name="Select all cases on this page").check()
    page.locator("#bulk_action").select_option("add_tag")
    page.locator("#bulk_tag").fill("Lane blocked")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status").filter(has_text="added")).to_contain_text(
        "Tag “lane-blocked” added to 6 cases.")
    assert axe(page) == []
